"""Search results as Block Kit: pure builders, no Slack calls."""

import json
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    SectionBlock,
)

from handlers.blockkit import context, escape, section, truncate
from handlers.network_blocks import THEIRS_HEADING, share_pressed, shared_blocks
from handlers.whole_entry import ENTRY_MENU, open_button, shareable, tip_block
from knowledge.entries import KIND_LABELS, LIBRARY
from knowledge.search import Results
from knowledge.snippets import snippet
from storage.models import Entry
from storage.network import SharedEntry

SHARE, HELPFUL, UNHELPFUL, MORE = (
    "search_share",
    "search_helpful",
    "search_unhelpful",
    "search_more",
)
MENU = ENTRY_MENU
WANTED, DELETE, KEEP, EDIT = "lesson_wanted", "entry_delete", "entry_keep", "entry_edit"
VALUE_MAX = 2000  # a button's value


@dataclass(frozen=True)
class Shown:
    """An entry as a result, with what the viewer may do to it."""

    entry: Entry
    matched: frozenset[str]
    may_change: bool = False


def describe(entry: Entry, *, viewer: str | None = None) -> str:
    """The line under a result: kind, who or where from, when, tags, and votes for the author."""
    parts = [KIND_LABELS[entry.kind]]
    if entry.kind == LIBRARY:
        parts.append("from _" + escape(truncate(entry.source or "", 150)) + "_")
    else:
        parts.append(f"by <@{entry.author_id}>" if entry.author_id else "imported")
        parts.append(f"{(entry.note_date or entry.created_at):%d %b %Y}")
    if entry.tags:
        parts.append(" ".join(f"#{t}" for t in entry.tags.split()))
    if entry.private:
        parts.append("🔒 this channel only")
    if viewer and viewer == entry.author_id:
        parts.append(f"👍 {entry.helpful}  👎 {entry.unhelpful} (only you see this)")
    return " · ".join(parts)


def entry_blocks(
    item: Shown, *, viewer: str | None, buttons: bool = True, votes_only: bool = False
) -> list[dict[str, Any]]:
    """One result: title and the passage that matched, the line about it, and its buttons
    (Open shows the whole entry)."""
    entry = item.entry
    text = snippet(
        "\n".join(t for t in (entry.body, entry.learnt, entry.differently) if t), item.matched
    )
    blocks = [section(f"*{escape(entry.title)}*\n{text}"), context(describe(entry, viewer=viewer))]
    tip = tip_block(entry)
    if tip is not None:
        blocks.append(tip)
    if not buttons:
        return blocks
    value = str(entry.id)
    elements: list[Any] = [open_button(entry.id)]
    if not votes_only:
        elements.append(ButtonElement(text="Share in channel", action_id=SHARE, value=value))
    elements += [
        ButtonElement(text="👍 Helpful", action_id=HELPFUL, value=value),
        ButtonElement(text="👎 Not helpful", action_id=UNHELPFUL, value=value),
    ]
    if item.may_change and not votes_only:
        elements.append(
            OverflowMenuElement(
                action_id=MENU,
                options=[
                    Option(value=f"edit:{value}", label="Edit"),
                    Option(value=f"delete:{value}", label="Delete"),
                    *([share_pressed(entry.id or 0)] if shareable(entry) else []),
                ],
            )
        )
    blocks.append(ActionsBlock(block_id=f"entry-{value}", elements=elements).to_dict())
    return blocks


def more_value(query: str, offset: int) -> str:
    return json.dumps({"q": query, "o": offset})[:VALUE_MAX]


def build_results(
    raw_query: str,
    results: Results,
    shown: list[Shown],
    *,
    viewer: str,
    note: str | None = None,
    theirs: dict[int, SharedEntry] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """One page of answers, or an honest "nothing good found" with what to try next; `note`
    says why the answers are only this channel's; `theirs`: the shared entries of other
    councils among the results, shown after the workspace's own (or alone: `from:network`)."""
    held = theirs or {}
    shared = [(held[h.shared_id], h.matched) for h in results.shared if h.shared_id in held]
    if not shown and not shared:
        text, blocks = build_nothing_found(raw_query, results.suggestions)
        return text, blocks + ([context(note)] if note else [])
    paged = len(shared) if results.network_only else len(shown)
    first = results.offset + 1
    whose = " from other councils" if results.network_only else ""
    blocks = [
        section(
            f"Answers {first}–{results.offset + paged} of {results.total}{whose} for "
            f"“{escape(truncate(raw_query, 200))}”"
        )
    ]
    if note:
        blocks.append(context(note))
    if results.suggestions:
        read_as = " and ".join(f"*{escape(s)}*" for s in results.suggestions)
        blocks.append(context(f"Some words weren't known here; I also looked for {read_as}."))
    for item in shown:
        blocks += entry_blocks(item, viewer=viewer)
    if shown and not results.close:  # the confidence floor: say so, not pad with weak answers
        blocks += loose_blocks(raw_query)
    if shared and not results.network_only:
        blocks.append(section(THEIRS_HEADING))
    for row, matched in shared:
        blocks += shared_blocks(row, matched)
    if results.has_more:
        blocks.append(
            ActionsBlock(
                block_id="more",
                elements=[
                    ButtonElement(
                        text="More results",
                        action_id=MORE,
                        value=more_value(raw_query, results.offset + paged),
                    )
                ],
            ).to_dict()
        )
    titles = "; ".join([item.entry.title for item in shown] + [row.title for row, _ in shared])
    return truncate(f"{results.total} answers for “{raw_query}”: {titles}", 3000), blocks


LOOSE = (
    "These only touch on your question; nothing I have answers it closely. The library holds "
    "guidance on running partnerships, not everything a council does. If nobody has written it "
    "down yet, ask the facilitators: their answer comes to you."
)


def ask_facilitators(raw_query: str) -> dict[str, Any]:
    """The button that sends a question nobody has answered yet to the facilitators."""
    return ActionsBlock(
        block_id="wanted",
        elements=[
            ButtonElement(
                text="Ask the facilitators", action_id=WANTED, value=truncate(raw_query, VALUE_MAX)
            )
        ],
    ).to_dict()


def loose_blocks(raw_query: str) -> list[dict[str, Any]]:
    """What follows answers that are only loose ones: saying so, and asking the facilitators."""
    return [context(LOOSE), ask_facilitators(raw_query)]


def build_nothing_found(
    raw_query: str, suggestions: tuple[str, ...]
) -> tuple[str, list[dict[str, Any]]]:
    shown = escape(truncate(raw_query, 200))
    lines = [f"Nothing good found for “{shown}”."]
    if suggestions:
        lines.append("Did you mean " + " or ".join(f"*{escape(s)}*" for s in suggestions) + "?")
    lines.append(
        "If nobody has written this down yet, ask the facilitators: their answer comes to you"
    )
    blocks = [
        SectionBlock(text=MarkdownTextObject(text="\n".join(lines))).to_dict(),
        ask_facilitators(raw_query),
    ]
    return " ".join(lines[:2]), blocks


def build_delete_confirm(entry: Entry) -> tuple[str, list[dict[str, Any]]]:
    text = f"Delete “{entry.title}”? This can't be undone."
    return text, [
        section(f"Delete *{escape(entry.title)}*? This can't be undone."),
        ActionsBlock(
            block_id="delete",
            elements=[
                ButtonElement(text="Delete", style="danger", action_id=DELETE, value=str(entry.id)),
                ButtonElement(text="Keep it", action_id=KEEP, value=str(entry.id)),
            ],
        ).to_dict(),
    ]


def build_saved(entry: Entry) -> tuple[str, list[dict[str, Any]]]:
    """The confirmation after a quick save, with a way to edit."""
    noun = KIND_LABELS[entry.kind].lower()
    where = (
        "only searches in this channel will find it"
        if entry.private
        else ("anyone in the workspace can find it with `/partners ask`")
    )
    text = f"Saved your {noun} “{entry.title}”: {where}."
    return text, [
        SectionBlock(
            text=MarkdownTextObject(text=f"✅ Saved your {noun} *{escape(entry.title)}*: {where}."),
            accessory=ButtonElement(text="Edit", action_id=EDIT, value=str(entry.id)),
        ).to_dict(),
        ContextBlock(elements=[MarkdownTextObject(text=describe(entry))]).to_dict(),
    ]
