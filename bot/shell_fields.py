"""The shell's form fields: each input element asked for in the terminal, and the answer
shaped as Slack's view state carries it."""

from collections.abc import Callable
from typing import Any

from bot.emulator import Workspace
from bot.render import plain


def read_field(
    ask: Callable[[str], str],
    say: Callable[[str], None],
    ws: Workspace,
    label: str,
    block: dict[str, Any],
) -> dict[str, Any]:
    """Ask for one form field and shape the answer as Slack's view state does."""
    element = block["element"]
    kind = element.get("type")
    optional = " (blank to skip)" if block.get("optional") else ""
    if kind in {"static_select", "radio_buttons"}:
        options = element.get("options", [])
        for index, option in enumerate(options, 1):
            say(f"    {index}. {plain(option['text']['text'], ws)}")
        answer = ask(f"  {label}, pick a number{optional}: ")
        if answer.isdigit() and 0 < int(answer) <= len(options):
            chosen = options[int(answer) - 1]
        else:  # blank (or nonsense) keeps what the form had chosen
            chosen = element.get("initial_option")
        return {"type": kind, "selected_option": chosen}
    if kind in {"conversations_select", "channels_select"}:
        initial = element.get("initial_conversation") or element.get("initial_channel")
        shown = f" [#{ws.channels[initial].name}]" if initial in ws.channels else ""
        answer = ask(f"  {label} as #name{shown}{optional}: ")
        channel = ws.channel_named(answer) if answer else None
        if answer and channel is None:
            say(f"  (shell) there is no channel {answer}; left blank")
        chosen = channel.id if channel else (initial if not answer else None)
        key = "selected_conversation" if kind == "conversations_select" else "selected_channel"
        return {"type": kind, key: chosen}
    if kind in {"users_select", "multi_users_select"}:
        answer = ask(
            f"  {label} as @name{' @name…' if kind.startswith('multi') else ''}{optional}: "
        )
        ids = [u.id for u in (ws.user_named(n) for n in answer.split()) if u]
        if kind == "users_select":
            kept = element.get("initial_user") if not answer else None
            return {"type": kind, "selected_user": ids[0] if ids else kept}
        return {"type": kind, "selected_users": ids}
    initial = element.get("initial_date") or element.get("initial_value")
    kept = f" [{initial}] (blank keeps it, - clears it)" if initial else optional
    if kind == "datepicker":
        answer = ask(f"  {label} (YYYY-MM-DD){kept}: ")
        return {"type": kind, "selected_date": _kept(answer, initial)}
    if kind == "checkboxes":
        options = element.get("options", [])
        ticked = element.get("initial_options") or []
        for index, option in enumerate(options, 1):
            say(f"    {index}. {plain(option['text']['text'], ws)}")
        answer = ask(f"  {label}: numbers to tick, - for none{' [ticked]' if ticked else ''}: ")
        if answer == "-":
            ticked = []
        elif answer:
            ticked = [o for i, o in enumerate(options, 1) if str(i) in answer.split()]
        return {"type": kind, "selected_options": ticked}
    answer = ask(f"  {label}{kept}: ")
    return {"type": kind, "value": _kept(answer, initial)}


def _kept(answer: str, initial: str | None) -> str | None:
    """A form field as typed: blank keeps what the form showed, "-" clears it."""
    if answer == "-":
        return None
    return answer or initial or None
