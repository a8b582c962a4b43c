"""A whole entry as Block Kit, for reading: the modal that Open shows, and what Share in channel
posts. Pure builders, no Slack calls.

Nothing is cut: a long text is split over several sections (3,000 characters each) at a
paragraph, a list item, a sentence or at worst a space, never inside a word. An entry's text is
at most 3,000 characters per field, so a whole entry is a handful of blocks, far inside a
modal's 100 and a message's 50.
"""

import json
import re
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    Option,
    OverflowMenuElement,
)
from slack_sdk.models.views import View

from handlers.blockkit import SECTION_TEXT, context, escape, section, truncate
from knowledge.entries import KIND_LABELS, LESSON, LIBRARY
from knowledge.network import SHAREABLE
from storage.models import Entry

OPEN = "entry_open"
ENTRY_MENU = "entry_menu"  # Edit and Delete, handled in handlers/lessons.py
OPEN_VIEW = "entry_view"
MODAL_TITLE = 24  # a modal's title
# Where a text may be split, best first: a paragraph, a line (a list item), before a numbered
# item ("5) risk…"), after a sentence or a semicolon, and at worst a space.
_BREAKS = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"\s(?=\d{1,2}\)\s)"),
    re.compile(r"(?<=[.!?;:])\s"),
    re.compile(r"\s"),
)


def split_text(text: str, limit: int = SECTION_TEXT) -> list[str]:
    """Text in pieces of at most `limit` characters, split where a reader would pause."""
    text = text.strip()
    pieces: list[str] = []
    while len(text) > limit:
        cut = 0
        for pattern in _BREAKS:
            # the last break that leaves the piece within the limit, and not absurdly short
            found = [m for m in pattern.finditer(text, 0, limit + 1) if m.start() > limit // 4]
            if found:
                cut = found[-1].start()
                rest = found[-1].end()
                break
        if not cut:  # one unbroken word longer than a section: only then cut inside it
            cut = rest = limit
        pieces.append(text[:cut].rstrip())
        text = text[rest:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def _sections(label: str | None, text: str) -> list[dict[str, Any]]:
    lead = f"*{label}*\n" if label else ""
    parts = split_text(escape(text), SECTION_TEXT - len(lead))
    return [section((lead if n == 0 else "") + part) for n, part in enumerate(parts)]


def body_blocks(entry: Entry) -> list[dict[str, Any]]:
    """The entry's own words, whole: a lesson's three parts under their labels."""
    if entry.kind == LESSON:
        blocks = _sections("What happened", entry.body)
        if entry.learnt:
            blocks += _sections("What we learnt", entry.learnt)
        if entry.differently:
            blocks += _sections("What we'd do differently", entry.differently)
        return blocks
    return _sections(None, entry.body)


def about_line(entry: Entry) -> str:
    """Where it comes from: the document cited, or who saved it and when; and its tags."""
    if entry.kind == LIBRARY:
        parts = [f"📖 Source: _{escape(entry.source or 'the curated library')}_"]
    else:
        who = f"<@{entry.author_id}>" if entry.author_id else "an import"
        parts = [f"Saved by {who} on {entry.created_at:%-d %B %Y}"]
        if entry.note_date:
            parts.append(f"about {entry.note_date:%-d %B %Y}")
        if entry.updated_at and entry.updated_at.date() != entry.created_at.date():
            parts.append(f"last changed {entry.updated_at:%-d %B %Y}")
    if entry.tags:
        parts.append(" ".join(f"#{t}" for t in entry.tags.split()))
    if entry.private:
        parts.append("🔒 this channel only")
    return " · ".join(parts)


def tip_block(entry: Entry) -> dict[str, Any] | None:
    if not entry.tip:  # ours, not the document's: shown apart and never under its citation
        return None
    return context(f"💡 _Practice tip from partnerbot, not from the document:_ {escape(entry.tip)}")


def whole_blocks(entry: Entry, *, shared_by: str | None = None) -> list[dict[str, Any]]:
    """The whole entry as a message: title, its words, where it comes from, the tip apart."""
    about = about_line(entry) + (f" · shared by <@{shared_by}>" if shared_by else "")
    blocks = [section(f"*{escape(entry.title)}*"), *body_blocks(entry), context(about)]
    tip = tip_block(entry)
    return blocks + ([tip] if tip else [])


def shareable(entry: Entry) -> bool:
    """Whether the ⋯ menu offers Share with a network (knowledge/shared_entries.py decides)."""
    return entry.kind in SHAREABLE and not entry.private


def open_button(entry_id: int | None) -> ButtonElement:
    return ButtonElement(text="Open", action_id=OPEN, value=str(entry_id))


def entry_modal(entry: Entry, *, channel_id: str | None, may_change: bool) -> dict[str, Any]:
    """The Open modal: the whole entry, with Edit and Delete for those allowed."""
    blocks = whole_blocks(entry)
    if may_change and entry.kind != LIBRARY:
        value = str(entry.id)
        blocks.append(
            ActionsBlock(
                block_id=f"entry-{value}",
                elements=[
                    OverflowMenuElement(
                        action_id=ENTRY_MENU,
                        options=[
                            Option(value=f"edit:{value}", label="Edit"),
                            Option(value=f"delete:{value}", label="Delete"),
                            *(
                                [Option(value=f"share:{value}", label="Share with a network")]
                                if shareable(entry)
                                else []
                            ),
                        ],
                    )
                ],
            ).to_dict()
        )
    view = View(
        type="modal",
        callback_id=OPEN_VIEW,
        title=truncate(KIND_LABELS[entry.kind], MODAL_TITLE),
        close="Close",
        blocks=blocks,
        # which channel it was opened from: Edit and Delete inside judge what may be seen by it
        private_metadata=json.dumps({"channel": channel_id}),
    )
    return view.to_dict()
