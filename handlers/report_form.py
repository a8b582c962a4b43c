"""The committee report's form as Block Kit, and reading it back: what only the officer can
write (knowledge/report_answers.py), pre-filled with the partnership's last answers. Pure: no
Slack calls. Each field's block is named after the answer it holds; its input is "value"."""

from typing import Any

from pydantic import ValidationError
from slack_sdk.models.blocks import (
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from handlers.blockkit import context, truncate
from knowledge.report_answers import IMPLICATIONS, LONG, MARKINGS, PURPOSES, SHORT, Answers
from storage.models import Partnership

REPORT_VIEW = "committee_report"
VALUE = "value"
YES = "yes"
# one per line in the form
LISTS = ("recommendations", "appendices")
SHORT_TEXTS = {
    "committee": ("Committee", "Cabinet, or the Partnerships Scrutiny Committee"),
    "report_of": ("Report of", "Director of Housing and Communities"),
    "author": ("Contact officer", "Their name"),
    "author_email": ("Contact officer's email", "name@council.gov.uk"),
    "wards": ("Wards affected", "All wards"),
    "exempt_reason": ("Why not for publication", "the paragraph of Schedule 12A relied on"),
}
LONG_TEXTS = {
    "summary": "Report summary",
    "recommendations": "Recommendations: Members are asked to… (one a line)",
    "background": "Background",
    **{key: label for key, label in IMPLICATIONS.items()},
    "appendices": "Other appendices (one a line; Appendix A, the partnership's facts, is added)",
}


def _input(block_id: str, label: str, element: Any, hint: str | None = None) -> InputBlock:
    return InputBlock(block_id=block_id, label=label, element=element, optional=True, hint=hint)


def _text(
    answers: Answers, key: str, label: str, *, multiline: bool, placeholder: str | None = None
) -> InputBlock:
    value = getattr(answers, key)
    if isinstance(value, list):
        value = "\n".join(value)
    element = PlainTextInputElement(
        action_id=VALUE,
        multiline=multiline,
        initial_value=str(value) if value else None,
        max_length=LONG if multiline else SHORT,
        placeholder=placeholder,
    )
    return _input(key, label, element)


def _choice(key: str, label: str, choices: dict[str, str], chosen: str) -> InputBlock:
    options = [Option(value=value, text=text) for value, text in choices.items()]
    initial = next(o for o in options if o.value == chosen)
    return _input(
        key, label, StaticSelectElement(action_id=VALUE, options=options, initial_option=initial)
    )


def _tick(key: str, label: str, ticked: bool, hint: str | None = None) -> InputBlock:
    option = Option(value=YES, text=label)
    element = CheckboxesElement(
        action_id=VALUE, options=[option], initial_options=[option] if ticked else None
    )
    return _input(key, " ", element, hint=hint)


def build_report_form(
    partnership: Partnership, answers: Answers, *, remembered: bool
) -> dict[str, Any]:
    """The form; `remembered` when `answers` are the partnership's last ones."""
    said = (
        "Filled in with what was written for the last report: change what has changed."
        if remembered
        else "What the register knows is filled in for you; write what only you can."
    )
    blocks: list[Any] = [context(said)]
    blocks.append(
        _text(
            answers,
            "committee",
            SHORT_TEXTS["committee"][0],
            multiline=False,
            placeholder=SHORT_TEXTS["committee"][1],
        )
    )
    date_ = answers.meeting_date.isoformat() if answers.meeting_date else None
    blocks.append(
        _input(
            "meeting_date",
            "Date of meeting",
            DatePickerElement(action_id=VALUE, initial_date=date_),
        )
    )
    for key in ("report_of", "author", "author_email", "wards"):
        label, example = SHORT_TEXTS[key]
        blocks.append(_text(answers, key, label, multiline=False, placeholder=example))
    blocks.append(_choice("purpose", "Purpose", PURPOSES, answers.purpose))
    blocks.append(
        _choice("marking", "Protective marking", {m: m for m in MARKINGS}, answers.marking)
    )
    blocks.append(
        _tick(
            "not_for_publication",
            "Not for publication (exempt information)",
            answers.not_for_publication,
        )
    )
    label, example = SHORT_TEXTS["exempt_reason"]
    blocks.append(_text(answers, "exempt_reason", label, multiline=False, placeholder=example))
    for key, label in LONG_TEXTS.items():
        blocks.append(_text(answers, key, label, multiline=True))
    blocks.append(
        _tick(
            "final",
            "This report is final",
            answers.final,
            hint="Until it is, every page says DRAFT.",
        )
    )
    return View(
        type="modal",
        callback_id=REPORT_VIEW,
        title="Committee report",
        submit="Write the report",
        close="Cancel",
        private_metadata=str(partnership.id),
        blocks=blocks,
    ).to_dict()


def _given(values: dict[str, Any], block: str) -> dict[str, Any]:
    return (values.get(block) or {}).get(VALUE) or {}


def read_report_form(view: dict[str, Any]) -> dict[str, Any]:
    """The form's answers as a mapping for knowledge.report_answers.parse."""
    values = (view.get("state") or {}).get("values") or {}
    data: dict[str, Any] = {}
    for key in (*SHORT_TEXTS, *LONG_TEXTS):
        text = _given(values, key).get("value") or ""
        data[key] = text.splitlines() if key in LISTS else text
    if not data["wards"].strip():
        data["wards"] = "All wards"
    data["meeting_date"] = _given(values, "meeting_date").get("selected_date")
    for key in ("purpose", "marking"):
        chosen = _given(values, key).get("selected_option") or {}
        if chosen.get("value"):
            data[key] = chosen["value"]
    for key in ("not_for_publication", "final"):
        data[key] = bool(_given(values, key).get("selected_options"))
    return data


def form_errors(data: dict[str, Any]) -> tuple[Answers | None, dict[str, str]]:
    """The answers, or what is wrong with them by block (as Slack shows under each field)."""
    try:
        answers = Answers.model_validate(data)
    except ValidationError as error:
        errors: dict[str, str] = {}
        for problem in error.errors():
            block = str(problem["loc"][0]) if problem["loc"] else "summary"
            message = problem["msg"].removeprefix("Value error, ")
            errors.setdefault(block, truncate(message[:1].upper() + message[1:] + ".", 150))
        return None, errors
    missing = answers.missing_for_final()
    if answers.final and missing:
        return None, {"final": truncate("A final report needs " + ", ".join(missing) + ".", 150)}
    return answers, {}
