"""Modal forms after the ack: a form is answered at once with a "working" view, the work runs, and
the same modal then shows the result, or the form again with what the person typed and what was
wrong (nothing they wrote is lost)."""

import copy
from typing import Any

from slack_sdk.models.views import View

from handlers.blockkit import context, section, truncate

WORKING_TITLE_MAX = 24  # a modal title's limit

# which initial_* field carries a submitted value back into each kind of input element
_INITIAL = {
    "plain_text_input": ("value", "initial_value"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "multi_users_select": ("selected_users", "initial_users"),
    "users_select": ("selected_user", "initial_user"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "static_select": ("selected_option", "initial_option"),
    "radio_buttons": ("selected_option", "initial_option"),
    "checkboxes": ("selected_options", "initial_options"),
    "multi_static_select": ("selected_options", "initial_options"),
    "number_input": ("value", "initial_value"),
    "url_text_input": ("value", "initial_value"),
}


def field_value(values: dict[str, Any], block: str, key: str = "value") -> Any:
    """What a submitted form's input `block` (its element's action_id being "value") holds
    under `key` ("value", "selected_option", "selected_user", "selected_date", …)."""
    return ((values.get(block) or {}).get("value") or {}).get(key)


def working_view(title: str, text: str) -> dict[str, Any]:
    """What a submitted form turns into while its work runs."""
    return View(
        type="modal",
        title=truncate(title, WORKING_TITLE_MAX),
        close="Close",
        blocks=[section(f"⏳ {text}")],
    ).to_dict()


def done_view(title: str, text: str, note: str | None = None) -> dict[str, Any]:
    """What the form shows when its work is done."""
    blocks = [section(text)]
    if note:
        blocks.append(context(note))
    return View(
        type="modal", title=truncate(title, WORKING_TITLE_MAX), close="Done", blocks=blocks
    ).to_dict()


def refilled(view: dict[str, Any], problem: str) -> dict[str, Any]:
    """The submitted form again, filled in with what was typed, with `problem` at the top."""
    values = (view.get("state") or {}).get("values") or {}
    blocks = [b for b in copy.deepcopy(view.get("blocks") or []) if b.get("block_id") != "problem"]
    for block in blocks:
        element = block.get("element")
        if block.get("type") != "input" or not isinstance(element, dict):
            continue
        given = (values.get(block.get("block_id")) or {}).get(element.get("action_id")) or {}
        wanted = _INITIAL.get(element.get("type", ""))
        if wanted is None:
            continue
        source, target = wanted
        element.pop(target, None)
        if given.get(source) not in (None, "", []):
            element[target] = given[source]
    warning = context(f"⚠️ {truncate(problem, 2900)}")  # our own words, with <@mentions>
    warning["block_id"] = "problem"
    form = {
        key: view[key]
        for key in ("type", "callback_id", "title", "submit", "close", "private_metadata")
        if view.get(key) is not None
    }
    return {**form, "blocks": [warning, *blocks][:100]}


def once_key(view: dict[str, Any]) -> str:
    """What makes a form's submission one thing done: its view id (a resubmit has the same)."""
    return f"view:{view.get('id') or ''}"
