"""The partnership register as Block Kit: the list, a partnership's card with its agreement
checklist, and the review reminder. Pure builders, no Slack calls."""

from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ConfirmObject,
    Option,
    OverflowMenuElement,
)

from handlers.blockkit import (
    MESSAGE_BLOCKS,
    context,
    divider,
    escape,
    header,
    packed_sections,
    section,
    truncate,
)
from handlers.commitment_blocks import due_words, summary
from knowledge.agreement import ITEMS, STATUSES
from knowledge.register import Standing
from knowledge.register_facts import KINDS, kind_words
from storage.models import AgreementItem, Commitment, Entry, Partnership, PartnershipReview

EDIT, REVIEW, CLOSE, SET_ITEM, SNOOZE_REVIEW = (
    "partnership_edit",
    "partnership_review",
    "partnership_close",
    "agreement_set",
    "review_snooze",
)
OPEN_CHECKLIST = "agreement_open"
NOTE = "note"  # the overflow choice that opens an item's note and link
NEXT_ITEMS = 3  # the card shows this many of the items still to agree; the checklist all
CHECKLIST_BLOCK = "checklist"  # an item's block in the whole checklist (not on the card)
STATUS_ICON = {"not_started": "⬜", "in_progress": "🟨", "agreed": "✅"}
LIST_USAGE = "`/partners partnership list [mine|significant|due|overdue]`"


def channel_of(channel_id: str | None) -> str | None:
    # A DM with the bot is nobody's partnership channel.
    return channel_id if channel_id and not channel_id.startswith("D") else None


def describe(partnership: Partnership) -> str:
    """One line about a partnership, in mrkdwn."""
    where = f" in <#{partnership.channel_id}>" if partnership.channel_id else ""
    return (
        f"*{escape(partnership.name)}*{where}, added by <@{partnership.created_by}> "
        f"on {partnership.created_at:%d %b %Y}"
    )


def review_words(partnership: Partnership, today: date) -> str:
    """ "review due Tue 12 Jan 2027 (in 50 days)", or that none is set."""
    if partnership.next_review is None:
        return "no review date"
    return "review " + due_words(partnership.next_review, today)


def line_of(standing: Standing, today: date) -> str:
    """A partnership's line in the list: lead, type, next review, commitments, agreement."""
    p = standing.partnership
    lead = f"<@{p.lead_id}>" if p.lead_id else "no lead"
    kind = KINDS[p.kind].split(" (")[0] if p.kind else "type not set"
    late = f", *{standing.overdue} overdue*" if standing.overdue else ""
    flag = {"overdue": " ⚠️", "due": " ⏰"}.get(standing.review_state(today) or "", "")
    star = " ⭐" if p.significant else ""
    where = f" in <#{p.channel_id}>" if p.channel_id else ""
    return (
        f"• *{escape(p.name)}*{where}{star}: {lead}, {kind}; {review_words(p, today)}{flag}; "
        f"{standing.open} open{late}; agreement {standing.agreement}"
    )


def build_list(
    standings: list[Standing], today: date, which: str = ""
) -> tuple[str, list[dict[str, Any]]]:
    """The register (or one filter of it) as a message."""
    title = {
        "": "Partnerships",
        "mine": "Partnerships you lead",
        "significant": "Significant partnerships",
        "due": "Partnerships due for review within 30 days",
        "overdue": "Partnerships with an overdue review or commitments",
    }[which]
    if not standings:
        text = (
            f"{title}: none."
            if which
            else "No partnerships are registered yet. "
            "Add one: `/partners partnership add Retrofit Partnership`"
        )
        return text, [section(text)]
    blocks = [header(f"{title} ({len(standings)})")]
    blocks += packed_sections((line_of(s, today) for s in standings), max_blocks=MESSAGE_BLOCKS - 3)
    blocks.append(context(f"`/partners partnership NAME` shows one. Filters: {LIST_USAGE}"))
    count = len(standings)
    return f"{title}: {count}.", blocks


def _facts(p: Partnership) -> str:
    rows = [
        ("Partners", ", ".join(escape(x) for x in (p.partners or "").splitlines()) or "not set"),
        ("Lead officer", f"<@{p.lead_id}>" if p.lead_id else "not set"),
        ("Type", kind_words(p)),
        ("Objective", escape(truncate(p.objective, 600)) if p.objective else "not set"),
        ("Channel", f"<#{p.channel_id}>" if p.channel_id else "none"),
        ("Started", f"{p.start_date:%d %b %Y}" if p.start_date else "not set"),
        ("Next review", f"{p.next_review:%a %d %b %Y}" if p.next_review else "not set"),
        ("Ends", f"{p.end_date:%d %b %Y}" if p.end_date else "not set"),
        ("Funding", f"£{p.funding_gbp:,.2f}" if p.funding_gbp is not None else "not set"),
        ("Budget", f"£{p.budget_gbp:,.2f}" if p.budget_gbp is not None else "not set"),
        ("Liabilities", escape(truncate(p.liabilities, 300)) if p.liabilities else "not set"),
        ("Risk register", escape(p.risk_ref) if p.risk_ref else "not set"),
        ("Reporting", escape(truncate(p.reporting, 300)) if p.reporting else "not set"),
        ("Significant", "yes" if p.significant else "no"),
    ]
    return truncate("\n".join(f"*{k}:* {v}" for k, v in rows), 3000)


def _item_line(key: str, row: AgreementItem | None) -> str:
    status = row.status if row else "not_started"
    line = f"{STATUS_ICON[status]} *{ITEMS[key]}*: {STATUSES[status].lower()}"
    if row and row.note:
        line += f"\n      {escape(truncate(row.note, 300))}"
    if row and row.link:
        line += f"  <{row.link}|document>"
    if row and row.status != "not_started":
        line += f"\n      _<@{row.changed_by}>, {row.changed_at:%d %b %Y}_"
    return line


def _item_menu(partnership: Partnership, key: str) -> dict[str, Any]:
    value = f"{partnership.id}:{key}"
    options = [
        Option(value=f"{value}:{s}", text=f"Mark {label.lower()}") for s, label in STATUSES.items()
    ]
    options.append(Option(value=f"{value}:{NOTE}", text="Note or link…"))
    return OverflowMenuElement(action_id=SET_ITEM, options=options).to_dict()


def _progress_bar(items: list[tuple[str, AgreementItem | None]]) -> str:
    return "".join(STATUS_ICON[row.status if row else "not_started"] for _, row in items)


def _agreement_progress(
    p: Partnership, items: list[tuple[str, AgreementItem | None]], *, can_edit: bool
) -> list[dict[str, Any]]:
    """The card's part of the checklist: how far it has got, the next items to agree (in
    progress first), and a button for the whole list."""
    agreed = sum(1 for _, row in items if row and row.status == "agreed")
    blocks = [
        section(f"*Partnership agreement: {agreed} of {len(items)} agreed*  {_progress_bar(items)}")
    ]
    waiting: list[tuple[str, AgreementItem | None]] = [
        (k, r) for k, r in items if r and r.status == "in_progress"
    ]
    waiting += [(k, r) for k, r in items if not r or r.status == "not_started"]
    if waiting:
        blocks.append(context(f"Next to agree ({len(waiting)} left):"))
    for key, row in waiting[:NEXT_ITEMS]:
        block = section(_item_line(key, row))
        if can_edit:
            block["accessory"] = _item_menu(p, key)
        blocks.append(block)
    blocks.append(
        ActionsBlock(
            block_id=f"agreement-{p.id}",
            elements=[
                ButtonElement(
                    text=f"Open checklist ({len(items)} items)",
                    action_id=OPEN_CHECKLIST,
                    value=str(p.id),
                )
            ],
        ).to_dict()
    )
    return blocks


def build_checklist(
    p: Partnership, items: list[tuple[str, AgreementItem | None]], *, can_edit: bool
) -> tuple[str, list[dict[str, Any]]]:
    """The whole agreement checklist, every item with its menu for those who may change it."""
    agreed = sum(1 for _, row in items if row and row.status == "agreed")
    blocks = [
        header(truncate(f"Agreement checklist: {p.name}", 150)),
        context(f"{agreed} of {len(items)} agreed  {_progress_bar(items)}"),
    ]
    for key, row in items:
        block = section(_item_line(key, row))
        block["block_id"] = f"{CHECKLIST_BLOCK}-{key}"
        if can_edit and p.status == "open":
            block["accessory"] = _item_menu(p, key)
        blocks.append(block)
    if not can_edit:
        blocks.append(context("Its lead, admins and facilitators can change it."))
    return f"{p.name}: agreement {agreed} of {len(items)} agreed.", blocks[:MESSAGE_BLOCKS]


def build_card(
    standing: Standing,
    *,
    today: date,
    items: list[tuple[str, AgreementItem | None]],
    commitments: list[tuple[Commitment, list[str]]],
    entries: list[Entry],
    reviews: list[PartnershipReview],
    can_edit: bool,
    health: list[dict[str, Any]] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """A partnership's card: its facts, what governance is missing, the agreement checklist
    (with a menu on each item for those who may change it), open commitments, its health
    (handlers/pulse_blocks.py), the latest lessons and notes, and its reviews."""
    p = standing.partnership
    closed = p.status != "open"
    blocks = [header(truncate(p.name + (" (closed)" if closed else ""), 150)), section(_facts(p))]
    missing = standing.missing
    blocks.append(
        context(
            "✅ Governance complete: lead, agreement, review date, risk reference, reporting "
            "and exit date."
            if not missing
            else "⚠️ Governance missing: " + ", ".join(missing) + "."
        )
    )
    if closed and p.closed_at:
        note = f": {escape(truncate(p.exit_note, 500))}" if p.exit_note else ""
        blocks.append(section(f"Closed by <@{p.closed_by}> on {p.closed_at:%d %b %Y}{note}"))
    blocks += [divider(), *_agreement_progress(p, items, can_edit=can_edit and not closed)]
    blocks.append(divider())
    if commitments:
        lines = [f"*Open commitments ({standing.open}, {standing.overdue} overdue)*"]
        lines += ["• " + summary(c, owners, today) for c, owners in commitments[:8]]
        if standing.open > 8:
            lines.append(f"…and {standing.open - 8} more: `/partners actions all` in its channel.")
        blocks.append(section(truncate("\n".join(lines), 3000)))
    else:
        blocks.append(section("*Open commitments:* none."))
    blocks += health or []
    if entries:
        lines = ["*Latest lessons and notes*"]
        lines += [f"• {escape(truncate(e.title, 140))} ({e.created_at:%d %b %Y})" for e in entries]
        blocks.append(section("\n".join(lines)))
    if reviews:
        lines = ["*Reviews*"]
        lines += [
            f"• {r.reviewed_on:%d %b %Y}, <@{r.recorded_by}>: {escape(truncate(r.outcome, 300))}"
            for r in reviews[:5]
        ]
        blocks.append(section(truncate("\n".join(lines), 3000)))
    if can_edit and not closed:
        value = str(p.id)
        blocks.append(
            ActionsBlock(
                block_id=f"partnership-{value}",
                elements=[
                    ButtonElement(text="Edit", action_id=EDIT, value=value),
                    ButtonElement(text="Record review", action_id=REVIEW, value=value),
                    ButtonElement(
                        text="Close partnership",
                        action_id=CLOSE,
                        value=value,
                        style="danger",
                        confirm=ConfirmObject(
                            title="Close it?",
                            text="You'll be asked for the end date and an exit note.",
                            confirm="Go on",
                            deny="Cancel",
                        ),
                    ),
                ],
            ).to_dict()
        )
    elif not closed:
        blocks.append(context("Its lead, admins and facilitators can change it."))
    text = f"{p.name}: {review_words(p, today)}; agreement {standing.agreement}."
    return text, blocks[:MESSAGE_BLOCKS]


def build_review_nudge(
    partnership: Partnership, today: date, *, number: int = 0
) -> tuple[str, list[dict[str, Any]]]:
    """The DM a lead gets as a review comes due (or is overdue)."""
    review = partnership.next_review
    assert review is not None
    overdue = review < today
    text = (
        f"The review of {partnership.name} was due {review:%a %d %b %Y}; it is now overdue."
        if overdue
        else f"The review of {partnership.name} is {due_words(review, today)}."
    )
    icon = "⚠️" if overdue else "📅"
    blocks = [
        section(f"{icon} {escape(text)}"),
        context("Record it here once it has happened: the register keeps the history."),
        ActionsBlock(
            block_id=f"review-{partnership.id}",
            elements=[
                ButtonElement(
                    text="Record review",
                    action_id=REVIEW,
                    value=str(partnership.id),
                    style="primary",
                ),
                ButtonElement(
                    text="Snooze a week", action_id=SNOOZE_REVIEW, value=str(partnership.id)
                ),
            ],
        ).to_dict(),
    ]
    return text, blocks
