"""Commitments in Block Kit: confirmations, nudges, lists, forms. Pure builders."""

from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from handlers.blockkit import MESSAGE_BLOCKS, context, escape, section, truncate
from knowledge.digest import Digest
from storage.models import ACTION_MAX, Commitment, Partnership

DONE, SNOOZE_DAY, SNOOZE_WEEK, UPDATE, CANT = (
    "commit_done",
    "commit_snooze_day",
    "commit_snooze_week",
    "commit_update",
    "commit_cant",
)
COMMIT_VIEW, UPDATE_VIEW, CANT_VIEW = "commit_form", "commit_update_form", "commit_cant_form"


def due_words(due: date, today: date) -> str:
    """ "due Fri 11 Dec 2026 (in 18 days)", exact about the date and kind about the gap."""
    gap = (due - today).days
    when = (
        "today"
        if gap == 0
        else "tomorrow"
        if gap == 1
        else f"in {gap} days"
        if gap > 0
        else "yesterday"
        if gap == -1
        else f"{-gap} days ago"
    )
    return f"due {due:%a %d %b %Y} ({when})"


def owners_text(owner_ids: list[str]) -> str:
    mentions = [f"<@{o}>" for o in owner_ids]
    return mentions[0] if len(mentions) == 1 else ", ".join(mentions[:-1]) + " and " + mentions[-1]


def summary(commitment: Commitment, owner_ids: list[str], today: date) -> str:
    """One commitment in mrkdwn: who, what, when."""
    return (
        f"{owners_text(owner_ids)}: *{escape(commitment.action)}*, "
        f"{due_words(commitment.due_date, today)}"
    )


def buttons(commitment: Commitment, *, snooze: bool = True) -> dict[str, Any]:
    value = str(commitment.id)
    elements = [ButtonElement(text="✅ Done", action_id=DONE, value=value, style="primary")]
    if snooze:
        elements += [
            ButtonElement(text="Snooze 1 day", action_id=SNOOZE_DAY, value=value),
            ButtonElement(text="Snooze 1 week", action_id=SNOOZE_WEEK, value=value),
        ]
    elements += [
        ButtonElement(text="Update progress", action_id=UPDATE, value=value),
        ButtonElement(text="Can't do this", action_id=CANT, value=value),
    ]
    return ActionsBlock(block_id=f"commitment-{value}", elements=elements).to_dict()


def build_confirmation(
    commitment: Commitment, owner_ids: list[str], today: date, partnership: Partnership | None
) -> tuple[str, list[dict[str, Any]]]:
    """What the channel sees: the commitment is the partnership's business."""
    where = f" for *{escape(partnership.name)}*" if partnership else ""
    text = (
        f"🤝 New commitment{where}: {owners_text(owner_ids)} will {commitment.action}, "
        f"{due_words(commitment.due_date, today)}. Recorded by <@{commitment.created_by}>."
    )
    blocks = [section(f"🤝 New commitment{where}\n{summary(commitment, owner_ids, today)}")]
    details = [f"Recorded by <@{commitment.created_by}>"]
    if commitment.partner_org:
        details.append(f"partner: {escape(commitment.partner_org)}")
    if commitment.done_when:
        details.append(f"done when: {escape(truncate(commitment.done_when, 300))}")
    blocks.append(context(" · ".join(details) + ". Owners get reminders by DM."))
    return text, blocks


def build_nudge(
    commitment: Commitment, owner_ids: list[str], today: date, *, kind: str, number: int = 0
) -> tuple[str, list[dict[str, Any]]]:
    """The DM an owner gets, with one-click answers."""
    lead = {
        "before": "Coming up",
        "due": "Due today",
        "overdue": "Overdue",
        "snoozed": "Reminder, as you asked",
        "new": "New commitment for you",
    }.get(kind, "Reminder")
    if kind == "overdue":
        lead += f" (reminder {number})"
    text = f"{lead}: {commitment.action}, {due_words(commitment.due_date, today)}."
    blocks = [section(f"⏰ *{lead}*\n{summary(commitment, owner_ids, today)}")]
    if commitment.progress_note:
        blocks.append(context(f"Last update: {escape(truncate(commitment.progress_note, 300))}"))
    blocks.append(buttons(commitment))
    return text, blocks


def build_escalation(
    commitment: Commitment,
    owner_ids: list[str],
    today: date,
    away: dict[str, date],
    *,
    led: str | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """What the creator, and the lead of its partnership (`led`, the partnership's name),
    hear when reminders have not worked."""
    notes = [f"<@{u}> is away until {d:%a %d %b}" for u, d in away.items()]
    text = (
        f"Still open after three reminders: {commitment.action} "
        f"({due_words(commitment.due_date, today)})."
    )
    body = f"⚠️ *Still open after three reminders*\n{summary(commitment, owner_ids, today)}"
    blocks = [section(body)]
    if notes:
        blocks.append(context("; ".join(notes) + "."))
    if led:
        blocks.append(
            context(
                f"You hear this as lead of *{escape(led)}*; <@{commitment.created_by}> recorded it."
            )
        )
    blocks.append(context("A word with the owners may help; they can answer from their reminder."))
    return text + (" " + "; ".join(notes) + "." if notes else ""), blocks


def build_list(
    title: str, items: list[tuple[Commitment, list[str]]], today: date, *, with_buttons: bool = True
) -> tuple[str, list[dict[str, Any]]]:
    """Open commitments, each with its buttons, within Slack's 50 blocks."""
    if not items:
        text = f"{title}: nothing open. Record one with {'`/partners commit @someone … by …`'}."
        return text, [section(text)]
    blocks = [section(f"*{escape(title)}* ({len(items)} open)")]
    per_item = 2 if with_buttons else 1
    shown = items[: (MESSAGE_BLOCKS - 2) // per_item]
    for commitment, owner_ids in shown:
        blocks.append(section(summary(commitment, owner_ids, today)))
        if with_buttons:
            blocks.append(buttons(commitment))
    if len(shown) < len(items):
        blocks.append(context(f"…and {len(items) - len(shown)} more."))
    return f"{title}: {len(items)} open.", blocks


def build_form(
    partnerships: list[Partnership], default_partnership: int | None, channel_id: str | None
) -> dict[str, Any]:
    """`/partners commit` alone: the commitment form."""
    options = [Option(value=str(p.id), label=truncate(p.name, 75)) for p in partnerships[:100]]
    blocks: list[Any] = [
        InputBlock(
            block_id="owners",
            label="Who will do it",
            element=UserMultiSelectElement(action_id="owners", max_selected_items=10),
        ),
        InputBlock(
            block_id="action",
            label="What will they do",
            element=PlainTextInputElement(
                action_id="action",
                max_length=ACTION_MAX,
                placeholder="e.g. Share the supply-chain map",
            ),
        ),
        InputBlock(block_id="due", label="By when", element=DatePickerElement(action_id="due")),
    ]
    if options:
        initial = next((o for o in options if o.value == str(default_partnership)), None)
        blocks.append(
            InputBlock(
                block_id="partnership",
                label="Partnership",
                optional=True,
                element=StaticSelectElement(
                    action_id="partnership", options=options, initial_option=initial
                ),
            )
        )
    blocks += [
        InputBlock(
            block_id="partner_org",
            label="Partner organisation",
            optional=True,
            element=PlainTextInputElement(action_id="partner_org", max_length=120),
        ),
        InputBlock(
            block_id="done_when",
            label="How we will know it is done",
            optional=True,
            element=PlainTextInputElement(action_id="done_when", multiline=True, max_length=1000),
        ),
    ]
    return View(
        type="modal",
        callback_id=COMMIT_VIEW,
        title="New commitment",
        submit="Record",
        close="Cancel",
        private_metadata=channel_id or "",
        blocks=blocks,
    ).to_dict()


def build_note_form(
    callback_id: str, commitment: Commitment, *, reason: bool, owner_ids: list[str] | None = None
) -> dict[str, Any]:
    """Can't do this (a reason, which the creator will read), or Update progress: a note, and
    the due date and owners, which may change."""
    blocks: list[Any] = [section(f"*{escape(truncate(commitment.action, 2000))}*")]
    if reason:
        blocks.append(
            InputBlock(
                block_id="note",
                label="Why can't it be done?",
                element=PlainTextInputElement(action_id="note", multiline=True, max_length=1000),
            )
        )
    else:
        blocks += [
            InputBlock(
                block_id="note",
                label="Progress so far",
                optional=True,
                element=PlainTextInputElement(action_id="note", multiline=True, max_length=1000),
            ),
            InputBlock(
                block_id="due",
                label="Due",
                element=DatePickerElement(
                    action_id="due", initial_date=commitment.due_date.isoformat()
                ),
            ),
            InputBlock(
                block_id="owners",
                label="Owners",
                element=UserMultiSelectElement(
                    action_id="owners", initial_users=owner_ids or [], max_selected_items=10
                ),
            ),
        ]
    return View(
        type="modal",
        callback_id=callback_id,
        title="Can't do this" if reason else "Update progress",
        submit="Send",
        close="Cancel",
        private_metadata=str(commitment.id),
        blocks=blocks,
    ).to_dict()


def build_digest(
    digest: Digest, owners: dict[int | None, list[str]], today: date
) -> tuple[str, list[dict[str, Any]]]:
    """Monday's digest for a channel: its commitments, then its partnerships' reviews due."""
    parts = [
        ("Due this week", digest.due_this_week),
        ("Overdue", digest.overdue),
        ("Done last week", digest.done_last_week),
    ]
    week = f"{digest.week:%d %b %Y}"
    said = []
    blocks = []
    with_commitments = any(items for _, items in parts) or not digest.reviews
    if with_commitments:
        said.append(
            "This week's commitments: "
            + ", ".join(f"{len(items)} {name.lower()}" for name, items in parts)
        )
        blocks.append(section(f"*Commitments for the week of {week}*"))
    for name, items in parts:
        if not items:
            continue
        lines = [f"• {summary(c, owners.get(c.id, []), today)}" for c in items[:15]]
        if len(items) > 15:
            lines.append(f"…and {len(items) - 15} more")
        blocks.append(section(f"*{name}*\n" + "\n".join(lines)))
    if digest.reviews:
        n = len(digest.reviews)
        said.append(f"{n} partnership review{'s' if n != 1 else ''} due or overdue")
        lines = [review_line(p, today) for p in digest.reviews[:15]]
        if n > 15:
            lines.append(f"…and {n - 15} more: `/partners partnership list due`")
        blocks.append(section(f"*Partnership reviews, week of {week}*\n" + "\n".join(lines)))
    hints = ["`/partners actions all` lists commitments with buttons"] if with_commitments else []
    if digest.reviews:
        hints.append("`/partners partnership review NAME` records a review")
    blocks.append(context("; ".join(hints) + "."))
    return "; ".join(said) + ".", blocks


def review_line(partnership: Partnership, today: date) -> str:
    """ "• *Retrofit*: review overdue, was due Wed 09 Dec 2026 (3 days ago); lead @sam" """
    review = partnership.next_review or today
    when = due_words(review, today)
    state = f"review overdue, was {when}" if review < today else f"review {when}"
    lead = f"lead <@{partnership.lead_id}>" if partnership.lead_id else "no lead officer named"
    return f"• *{escape(partnership.name)}*: {state}; {lead}"
