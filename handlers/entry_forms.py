"""The lesson and briefing-note forms: building them, and reading what was submitted."""

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from handlers.blockkit import truncate
from knowledge.entries import LESSON, Draft
from storage.models import TEXT_MAX, TITLE_MAX, Entry, Partnership

FORM_VIEW = "entry_form"  # one callback for both kinds; the kind travels in private_metadata
WORKSPACE, CHANNEL_ONLY = "workspace", "channel"
MAX_OPTIONS = 100


@dataclass(frozen=True)
class FormContext:
    """What the form needs to remember between opening and submitting (private_metadata)."""

    kind: str
    channel_id: str | None
    private_channel: bool
    entry_id: int | None = None
    permalink: str | None = None

    def dump(self) -> str:
        return json.dumps(
            {
                "k": self.kind,
                "c": self.channel_id,
                "p": self.private_channel,
                "e": self.entry_id,
                "l": self.permalink,
            }
        )

    @classmethod
    def load(cls, raw: str) -> "FormContext":
        data = json.loads(raw)
        return cls(
            kind=data["k"],
            channel_id=data["c"],
            private_channel=bool(data["p"]),
            entry_id=data.get("e"),
            permalink=data.get("l"),
        )


def _text_input(
    block_id: str,
    label: str,
    *,
    initial: str | None,
    optional: bool = False,
    multiline: bool = False,
    max_length: int = TEXT_MAX,
    hint: str | None = None,
    placeholder: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=block_id,
            multiline=multiline,
            max_length=max_length,
            initial_value=truncate(initial, max_length) if initial else None,
            placeholder=placeholder,
        ),
    )


def build_form(
    context: FormContext,
    *,
    partnerships: list[Partnership],
    default_partnership: int | None,
    draft: Draft | Entry | None = None,
) -> dict[str, Any]:
    """The lesson or briefing-note modal, empty or filled in from a draft or a saved entry."""
    lesson = context.kind == LESSON
    blocks: list[Any] = [
        _text_input(
            "title",
            "Title",
            initial=draft.title if draft else None,
            max_length=TITLE_MAX,
            placeholder="e.g. Supplier days won contractors over",
        ),
    ]
    if lesson:
        blocks += [
            _text_input(
                "body", "What happened", initial=draft.body if draft else None, multiline=True
            ),
            _text_input(
                "learnt",
                "What we learnt",
                initial=draft.learnt if draft else None,
                multiline=True,
                optional=True,
            ),
            _text_input(
                "differently",
                "What we would do differently",
                initial=draft.differently if draft else None,
                multiline=True,
                optional=True,
            ),
        ]
    else:
        note_date = draft.note_date if draft else None
        blocks += [
            InputBlock(
                block_id="note_date",
                label="Date",
                optional=True,
                element=DatePickerElement(
                    action_id="note_date",
                    initial_date=(note_date.isoformat() if note_date else None),
                ),
            ),
            _text_input("body", "Note", initial=draft.body if draft else None, multiline=True),
            _text_input(
                "source",
                "Source link",
                initial=draft.source if draft else None,
                optional=True,
                max_length=500,
                placeholder="https://…",
            ),
        ]
    tags = draft.tags if draft else ()
    blocks.append(
        _text_input(
            "tags",
            "Tags",
            initial=" ".join(tags.split() if isinstance(tags, str) else tags),
            optional=True,
            max_length=500,
            hint="Separated by spaces or commas, e.g. retrofit supply-chain",
        )
    )
    options = [
        Option(value=str(p.id), label=truncate(p.name, 75)) for p in partnerships[:MAX_OPTIONS]
    ]
    if options:
        chosen = draft.partnership_id if draft is not None else default_partnership
        initial = next((o for o in options if o.value == str(chosen)), None)
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
    if context.private_channel:
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="🔒 Saved from a private conversation: only searches run there will find it."
                    )
                ]
            )
        )
    elif context.entry_id is None:
        here = Option(value=CHANNEL_ONLY, label="Only searches in this channel")
        everyone = Option(value=WORKSPACE, label="Everyone in the workspace")
        blocks.append(
            InputBlock(
                block_id="visibility",
                label="Who can find it",
                element=(
                    RadioButtonsElement(
                        action_id="visibility", options=[everyone, here], initial_option=everyone
                    )
                ),
            )
        )
    noun = "lesson" if lesson else "note"
    verb = "Edit" if context.entry_id else "Save"
    title = (
        f"{verb} a {noun}" if context.entry_id else ("Lesson learnt" if lesson else "Briefing note")
    )
    return View(
        type="modal",
        callback_id=FORM_VIEW,
        title=title,
        submit=verb,
        close="Cancel",
        private_metadata=context.dump(),
        blocks=blocks,
    ).to_dict()


def _value(values: dict[str, Any], block_id: str) -> Any:
    return values.get(block_id, {}).get(block_id, {})


def read_form(context: FormContext, values: dict[str, Any]) -> Draft:
    """The draft a submitted form describes (not yet checked)."""
    partnership = (_value(values, "partnership").get("selected_option") or {}).get("value")
    visibility = (_value(values, "visibility").get("selected_option") or {}).get("value")
    raw_date = _value(values, "note_date").get("selected_date")
    return Draft(
        kind=context.kind,
        title=_value(values, "title").get("value") or "",
        body=_value(values, "body").get("value") or "",
        learnt=_value(values, "learnt").get("value"),
        differently=_value(values, "differently").get("value"),
        tags=tuple((_value(values, "tags").get("value") or "").replace(",", " ").split()),
        source=_value(values, "source").get("value"),
        note_date=date.fromisoformat(raw_date) if raw_date else None,
        permalink=context.permalink,
        partnership_id=int(partnership) if partnership and partnership.isdigit() else None,
        private=context.private_channel or visibility == CHANNEL_ONLY,
    )
