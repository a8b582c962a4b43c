"""Slack surfaces as readable text, for the shell: messages, modals, the Home tab.

Every button (and each option of a menu) gets a number, so it can be pressed by typing it.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from bot.emulator import Workspace

_USER = re.compile(r"<@([A-Z0-9]+)(?:\|[^<>]*)?>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|([^<>]*))?>")
_LINK = re.compile(r"<(https?://[^|<>]+)(?:\|([^<>]*))?>")


@dataclass
class Pressable:
    """Something numbered on screen that the shell user can press."""

    label: str
    action: dict[str, Any]
    channel: str | None = None
    message: dict[str, Any] | None = None
    view: dict[str, Any] | None = None
    submit: bool = False  # the modal's submit button, not a block action
    shown_to: str | None = None  # the one person who can see it (ephemeral, DM, modal); None: all


@dataclass
class Screen:
    """Numbers handed out so far, and what each one presses."""

    pressables: dict[int, Pressable] = field(default_factory=dict)

    def add(self, item: Pressable) -> int:
        number = len(self.pressables) + 1
        self.pressables[number] = item
        return number


def plain(text: str, ws: Workspace) -> str:
    """mrkdwn with Slack's markup turned back into what a person sees."""

    def user(match: re.Match[str]) -> str:
        found = ws.users.get(match.group(1))
        return "@" + (found.name if found else match.group(1))

    def channel(match: re.Match[str]) -> str:
        found = ws.channels.get(match.group(1))
        return "#" + (found.name if found else match.group(2) or match.group(1))

    text = _LINK.sub(
        lambda m: f"{m.group(2) or m.group(1)} ({m.group(1)})" if m.group(2) else m.group(1), text
    )
    text = _CHANNEL.sub(channel, _USER.sub(user, text))
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _text(obj: Any, ws: Workspace) -> str:
    if isinstance(obj, dict):
        return plain(str(obj.get("text", "")), ws)
    return plain(str(obj or ""), ws)


def _element(
    element: dict[str, Any],
    block: dict[str, Any],
    screen: Screen,
    ws: Workspace,
    where: dict[str, Any],
) -> list[str]:
    kind = element.get("type")
    base = {"action_id": element.get("action_id"), "block_id": block.get("block_id"), "type": kind}
    if kind == "button":
        label = _text(element.get("text"), ws)
        number = screen.add(
            Pressable(
                label,
                {**base, "value": element.get("value", ""), "text": element.get("text")},
                **where,
            )
        )
        return [f"[{number}] {label}"]
    if kind in {"overflow", "static_select"}:
        shown = []
        for option in element.get("options", []):
            label = _text(option.get("text"), ws)
            number = screen.add(Pressable(label, {**base, "selected_option": option}, **where))
            shown.append(f"[{number}] {label}")
        return shown
    if kind == "image":
        return [f"[image: {element.get('alt_text', '')}]"]
    if kind in {"mrkdwn", "plain_text"}:
        return [_text(element, ws)]
    return [f"<{kind}>"]


def render_blocks(
    blocks: list[dict[str, Any]], screen: Screen, ws: Workspace, where: dict[str, Any]
) -> list[str]:
    """Lines of text for a list of blocks; buttons are numbered on `screen`."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            lines.append(f"== {_text(block.get('text'), ws)} ==")
        elif kind == "section":
            if block.get("text"):
                lines.append(_text(block["text"], ws))
            lines += ["  " + _text(f, ws) for f in block.get("fields", [])]
            if block.get("accessory"):
                lines.append(
                    "  " + "  ".join(_element(block["accessory"], block, screen, ws, where))
                )
        elif kind == "context":
            lines.append(
                "  ("
                + " ".join(
                    " ".join(_element(e, block, screen, ws, where))
                    for e in block.get("elements", [])
                )
                + ")"
            )
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            lines.append(
                "  ".join(
                    item
                    for e in block.get("elements", [])
                    for item in _element(e, block, screen, ws, where)
                )
            )
        elif kind == "input":
            optional = " (optional)" if block.get("optional") else ""
            lines.append(
                f"{_text(block.get('label'), ws)}{optional}: <{block['element'].get('type')}>"
            )
        elif kind == "image":
            lines.append(f"[image: {block.get('alt_text', '')}]")
        else:
            lines.append(f"<{kind} block>")
    return lines


def render_message(
    message: dict[str, Any], screen: Screen, ws: Workspace, where: dict[str, Any]
) -> list[str]:
    """A message's blocks, or its text when it has none."""
    if message.get("blocks"):
        return render_blocks(message["blocks"], screen, ws, where)
    return plain(str(message.get("text") or ""), ws).splitlines()


def render_view(view: dict[str, Any], screen: Screen, ws: Workspace) -> list[str]:
    """A modal: its title, blocks, and numbered Submit / Cancel."""
    title = _text(view.get("title"), ws)
    lines = [f"┌─ modal: {title} ─"]
    lines += [
        "│ " + line for line in render_blocks(view.get("blocks", []), screen, ws, {"view": view})
    ]
    if view.get("submit"):
        number = screen.add(Pressable(_text(view["submit"], ws), {}, view=view, submit=True))
        lines.append(f"│ [{number}] {_text(view['submit'], ws)}")
    lines.append("└─")
    return lines
