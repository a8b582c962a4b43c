"""The programme network in Block Kit: other councils' shared entries among answers, the whole
shared entry, the form to share (or withdraw) an entry, and the list of networks. Pure
builders, no Slack calls."""

import json
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from handlers.blockkit import context, escape, section, truncate
from handlers.whole_entry import MODAL_TITLE, split_text
from knowledge.entries import KIND_LABELS
from knowledge.network import Membership
from knowledge.snippets import snippet
from storage.models import Entry
from storage.network import Network, NetworkMember, SharedEntry

OPEN_SHARED = "network_open"
HIDE_SHARED = "network_hide"
HELPFUL_SHARED = "network_helpful"
SHARE_VIEW = "network_share"
SHARED_VIEW = "network_shared"
HIDE_VIEW = "network_hide_reason"
APPROVE, DECLINE = "network_approve", "network_decline"
NAMED, COUNCIL_ONLY, WITHDRAW = "named", "council", "withdraw"
THEIRS_HEADING = "*From other councils in your networks*"


def where_from(row: SharedEntry) -> str:
    """ "from Luton Borough Council, shared 12 Mar 2026 · by Sam Patel · #tags"."""
    parts = [
        KIND_LABELS.get(row.kind, row.kind),
        f"from {escape(row.council)}, shared {row.shared_at:%d %b %Y}",
    ]
    if row.author_name:
        parts.append(f"by {escape(row.author_name)}")
    if row.tags:
        parts.append(" ".join(f"#{t}" for t in row.tags.split()))
    return " · ".join(parts)


def shared_blocks(row: SharedEntry, matched: frozenset[str]) -> list[dict[str, Any]]:
    """One shared entry as an answer: title, the passage that matched, where it came from, and
    Open (the whole of it)."""
    return [
        section(f"*{escape(row.title)}*\n{snippet(row.body, matched)}"),
        context(where_from(row)),
        ActionsBlock(
            block_id=f"shared-{row.id}",
            elements=[
                ButtonElement(text="Open", action_id=OPEN_SHARED, value=str(row.id)),
                ButtonElement(text="👍 Helpful", action_id=HELPFUL_SHARED, value=str(row.id)),
            ],
        ).to_dict(),
    ]


def shared_modal(row: SharedEntry, *, may_hide: bool = False) -> dict[str, Any]:
    """The whole shared entry, as its council shared it; Hide for the network's hosts."""
    blocks = [section(f"*{escape(row.title)}*")]
    blocks += [section(part) for part in split_text(escape(row.body))][:90]
    blocks.append(context(where_from(row)))
    if may_hide:
        hide = ButtonElement(text="Hide from the network", action_id=HIDE_SHARED, value=str(row.id))
        blocks.append(ActionsBlock(block_id="hide", elements=[hide]).to_dict())
    return View(
        type="modal",
        callback_id=SHARED_VIEW,
        title=truncate(f"Shared {KIND_LABELS.get(row.kind, '').lower()}", MODAL_TITLE),
        close="Close",
        blocks=blocks,
    ).to_dict()


def hide_form(shared_id: int, title: str) -> dict[str, Any]:
    """The hosts say why a shared entry is hidden: its council sees the reason."""
    return View(
        type="modal",
        callback_id=HIDE_VIEW,
        title="Hide from the network",
        submit="Hide",
        close="Cancel",
        blocks=[
            section(f"Hide *{escape(title)}* from every council in the network?"),
            InputBlock(
                block_id="reason",
                label="Why (the council that shared it sees this)",
                element=PlainTextInputElement(action_id="value", max_length=300),
            ).to_dict(),
        ],
        private_metadata=json.dumps({"shared": shared_id}),
    ).to_dict()


def _copy_label(name: str, copy: SharedEntry | None) -> str:
    if copy is None:
        return truncate(name, 75)
    if copy.hidden_at is not None:
        return truncate(f"{name} (hidden by its hosts: {copy.hidden_reason})", 75)
    return truncate(f"{name} (shared: update it)", 75)


def share_form(
    entry: Entry,
    held: list[Membership],
    copies: dict[int, SharedEntry],
    author_name: str | None,
) -> dict[str, Any]:
    """Share an entry with one of the workspace's networks (or update or withdraw its copy);
    `copies`: its shared copies by network, a hidden one with the hosts' reason."""
    shared_in = set(copies)
    options = [
        Option(
            value=str(m.network.id),
            label=_copy_label(m.network.name, copies.get(m.network.id or 0)),
        )
        for m in held
    ][:100]
    name = (
        f"With {truncate(author_name, 40)}'s name and the council's"
        if author_name
        else ("With the author's name and the council's")
    )
    how = [
        Option(value=COUNCIL_ONLY, label="With the council's name only"),
        Option(value=NAMED, label=name),
    ]
    if shared_in:
        how.append(Option(value=WITHDRAW, label="Withdraw it from this network"))
    blocks = [
        section(
            f"*{escape(entry.title)}*\nA copy goes to every council in the network, as it is "
            "now: editing it later changes nothing there until you share it again. You can "
            "withdraw it at any time."
        ),
        InputBlock(
            block_id="network",
            label="Network",
            element=StaticSelectElement(
                action_id="value", options=options, initial_option=options[0]
            ),
        ).to_dict(),
        InputBlock(
            block_id="how",
            label="How",
            element=RadioButtonsElement(action_id="value", options=how, initial_option=how[0]),
        ).to_dict(),
    ]
    return View(
        type="modal",
        callback_id=SHARE_VIEW,
        title="Share with a network",
        submit="Done",
        close="Cancel",
        blocks=blocks,
        private_metadata=json.dumps({"entry": entry.id}),
    ).to_dict()


def network_list(
    held: list[tuple[Membership, list[NetworkMember]]], *, admin: bool
) -> tuple[str, list[dict[str, Any]]]:
    """The networks a workspace belongs to, with their councils, and what to do next."""
    if not held:
        text = (
            "This workspace isn't in a programme network yet. A network lets councils share "
            "lessons with each other, entry by entry, by consent. To join one, an admin types "
            "`/partners network join CODE` with the code its hosts gave; to start one, "
            "`/partners network create NAME`."
        )
        return text, [section(text)]
    blocks: list[dict[str, Any]] = []
    for membership, members in held:
        network: Network = membership.network
        role = "hosted here" if membership.hosting else "a member"
        councils = ", ".join(escape(m.council) for m in members)
        blocks.append(section(f"*{escape(network.name)}* ({role})\n{truncate(councils, 2800)}"))
    hint = (
        "Share a lesson or briefing note from its ⋯ menu. `/partners ask from:network …` finds "
        "what other councils shared."
    )
    if admin:
        hint += (
            " Admins: `/partners network invite NAME` (hosts), `network leave NAME`, "
            "`network remove COUNCIL from NAME` (hosts)."
        )
    blocks.append(context(hint))
    names = "; ".join(m.network.name for m, _ in held)
    return f"Your networks: {names}", blocks[:50]


def share_pressed(entry_id: int) -> Option:
    """The ⋯ menu's way in to sharing, beside Edit and Delete."""
    return Option(value=f"share:{entry_id}", label="Share with a network")


def pending_list(waiting: list[tuple[Network, SharedEntry]]) -> tuple[str, list[dict[str, Any]]]:
    """Entries waiting for an admin's approval to be shared, each with Approve and Decline."""
    if not waiting:
        text = "Nothing is waiting for approval to be shared."
        return text, [section(text)]
    blocks: list[dict[str, Any]] = [
        section(f"*Waiting for approval to be shared* ({len(waiting)})")
    ]
    for network, row in waiting[:15]:
        who = (
            f"with {escape(row.author_name)}'s name"
            if row.author_name
            else "with the council's name only"
        )
        blocks += [
            section(f"*{escape(row.title)}*\n{escape(truncate(row.body, 300))}"),
            context(f"for *{escape(network.name)}*, {who}, asked by <@{row.shared_by}>"),
            ActionsBlock(
                block_id=f"pending-{row.id}",
                elements=[
                    ButtonElement(
                        text="Approve", style="primary", action_id=APPROVE, value=str(row.id)
                    ),
                    ButtonElement(text="Decline", action_id=DECLINE, value=str(row.id)),
                ],
            ).to_dict(),
        ]
    return f"{len(waiting)} entries waiting for approval to be shared", blocks


def network_digest(
    network: Network,
    new: list[SharedEntry],
    helpful: list[tuple[SharedEntry, int]],
    week: str,
) -> tuple[str, list[dict[str, Any]]]:
    """A network's weekly digest for one member council's channel: what other councils shared
    this week, each with Open, and what people found most helpful this month."""
    blocks: list[dict[str, Any]] = [
        section(
            f"*This week in {escape(network.name)}* ({week}): {len(new)} shared by other councils"
        )
    ]
    for row in new[:12]:
        blocks += [
            section(f"*{escape(row.title)}*\n{escape(truncate(row.body, 200))}"),
            context(where_from(row)),
            ActionsBlock(
                block_id=f"digest-{row.id}",
                elements=[ButtonElement(text="Open", action_id=OPEN_SHARED, value=str(row.id))],
            ).to_dict(),
        ]
    if len(new) > 12:
        blocks.append(context(f"and {len(new) - 12} more: `/partners ask from:network …`"))
    if helpful:
        lines = [
            f"• *{escape(row.title)}* ({escape(row.council)}): found helpful {count} "
            f"time{'s' if count != 1 else ''}"
            for row, count in helpful
        ]
        blocks.append(section("*Most helpful this month*\n" + "\n".join(lines)))
    titles = "; ".join([row.title for row in new[:12]] + [row.title for row, _ in helpful])
    return truncate(f"This week in {network.name}: {titles}", 3000), blocks
