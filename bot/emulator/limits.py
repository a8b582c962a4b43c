"""Block Kit limits, checked the way Slack checks them (`invalid_blocks`).

slack_sdk's model classes know each element's limits but only check the object they are called
on, so every nested object is validated in turn; a few limits the models do not know are added.
"""

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.basic_objects import JsonObject
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100  # modals and the Home tab
MESSAGE_TEXT = 40_000
TEXT_OBJECT = 3_000
SECTION_FIELDS = 10
SECTION_FIELD_TEXT = 2_000


def _walk(obj: Any) -> None:
    if isinstance(obj, JsonObject):
        obj.validate_json()
        for value in vars(obj).values():
            _walk(value)
    elif isinstance(obj, list | tuple):
        for value in obj:
            _walk(value)


def _text_lengths(raw: Any, path: str, errors: list[str]) -> None:
    if isinstance(raw, dict):
        if (
            raw.get("type") in {"mrkdwn", "plain_text"}
            and len(str(raw.get("text", ""))) > TEXT_OBJECT
        ):
            errors.append(f"{path}: text must be at most {TEXT_OBJECT} characters")
        for key, value in raw.items():
            _text_lengths(value, f"{path}.{key}", errors)
    elif isinstance(raw, list):
        for index, value in enumerate(raw):
            _text_lengths(value, f"{path}[{index}]", errors)


def block_errors(blocks: Any, *, max_blocks: int) -> list[str]:
    """What Slack would object to in a list of blocks; empty when it would accept them."""
    if not isinstance(blocks, list):
        return ["blocks must be a list"]
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(f"no more than {max_blocks} items allowed [json-pointer:/blocks]")
    for index, raw in enumerate(blocks):
        where = f"[json-pointer:/blocks/{index}]"
        if not isinstance(raw, dict):
            errors.append(f"block must be an object {where}")
            continue
        try:
            block = Block.parse(raw)
        except (SlackObjectFormationError, TypeError, KeyError, AttributeError) as error:
            errors.append(f"{error} {where}")
            continue
        if block is None:
            errors.append(f"unknown block type {raw.get('type')!r} {where}")
            continue
        try:
            _walk(block)
        except SlackObjectFormationError as error:
            errors.append(f"{error} {where}")
        fields = raw.get("fields") or []
        if len(fields) > SECTION_FIELDS:
            errors.append(f"no more than {SECTION_FIELDS} fields allowed {where}")
        if any(len(str(field.get("text", ""))) > SECTION_FIELD_TEXT for field in fields):
            errors.append(f"field text must be at most {SECTION_FIELD_TEXT} characters {where}")
        _text_lengths(raw, where, errors)
    return errors


def view_errors(view: Any) -> list[str]:
    """What Slack would object to in a modal or Home tab view."""
    if not isinstance(view, dict):
        return ["view must be an object"]
    errors = block_errors(view.get("blocks", []), max_blocks=SURFACE_BLOCKS)
    if errors:
        return errors
    try:
        _walk(View(**view))
    except (SlackObjectFormationError, TypeError) as error:
        errors.append(str(error))
    return errors
