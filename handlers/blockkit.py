"""Block Kit pieces every feature uses, built with slack_sdk's models so limits are checked."""

from collections.abc import Iterable
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

SECTION_TEXT = 3000
HEADER_TEXT = 150
MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100
ELLIPSIS = "…"


def truncate(text: str, limit: int) -> str:
    """Cut text to a Slack limit at a word boundary, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + ELLIPSIS


def escape(text: str) -> str:
    """Escape user text for mrkdwn, so `<` and `&` cannot become mentions or links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def header(text: str) -> dict[str, Any]:
    return HeaderBlock(text=truncate(text, HEADER_TEXT)).to_dict()


def section(text: str) -> dict[str, Any]:
    return SectionBlock(text=MarkdownTextObject(text=truncate(text, SECTION_TEXT))).to_dict()


def context(text: str) -> dict[str, Any]:
    return ContextBlock(elements=[MarkdownTextObject(text=truncate(text, SECTION_TEXT))]).to_dict()


def divider() -> dict[str, Any]:
    return DividerBlock().to_dict()


def packed_sections(lines: Iterable[str], *, max_blocks: int) -> list[dict[str, Any]]:
    """Lines packed into as few sections as fit, ending with a count of any left out."""
    blocks: list[dict[str, Any]] = []
    lines = list(lines)
    current: list[str] = []
    for index, line in enumerate(lines):
        line = truncate(line, SECTION_TEXT)
        if current and len("\n".join([*current, line])) > SECTION_TEXT:
            blocks.append(section("\n".join(current)))
            current = []
            if len(blocks) == max_blocks - 1:
                blocks.append(context(f"…and {len(lines) - index} more."))
                return blocks
        current.append(line)
    if current:
        blocks.append(section("\n".join(current)))
    return blocks
