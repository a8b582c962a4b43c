"""The register's forms as Block Kit, and reading them back: a partnership's facts (add and
edit), recording a review, closing, and one agreement item's note and link. Pure: no Slack calls."""

from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    CheckboxesElement,
    ConversationFilter,
    ConversationSelectElement,
    DatePickerElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from handlers.blockkit import section, truncate
from knowledge.agreement import ITEMS, STATUSES
from knowledge.register_facts import KINDS, LSP_KINDS, FactError, Facts, money, split_partners
from storage.models import PARTNERSHIP_NAME_MAX, Partnership

ADD_VIEW, EDIT_VIEW = "partnership_add", "partnership_edit"
REVIEW_VIEW, CLOSE_VIEW, ITEM_VIEW = "partnership_review", "partnership_close", "agreement_item"
NAME_BLOCK, NAME_INPUT = "partnership_name", "name"
CHANNEL_BLOCK, CHANNEL_INPUT = "partnership_channel", "channel"
# every other field's block is named after the fact it holds, and its input "value"
VALUE = "value"
TEXTS = ("objective", "liabilities", "reporting", "risk_ref")
DATES = ("start_date", "next_review", "end_date")
MONEY = ("funding_gbp", "budget_gbp")
# the fields a FactError may name, mapped to the block that shows it
FIELD_BLOCK = {"name": NAME_BLOCK, "lead": "lead_id", "channel": CHANNEL_BLOCK}


def _option(value: str, label: str) -> Option:
    return Option(value=value, text=truncate(label, 75))


def _input(block_id: str, label: str, element: Any, *, hint: str | None = None) -> InputBlock:
    return InputBlock(block_id=block_id, label=label, element=element, optional=True, hint=hint)


def _text(block_id: str, label: str, value: str | None, *, multiline: bool = True) -> InputBlock:
    element = PlainTextInputElement(
        action_id=VALUE, multiline=multiline, initial_value=value or None, max_length=3000
    )
    return _input(block_id, label, element)


def _date(block_id: str, label: str, value: date | None) -> InputBlock:
    element = DatePickerElement(action_id=VALUE, initial_date=value.isoformat() if value else None)
    return _input(block_id, label, element)


def build_partnership_form(
    facts: Facts, *, name: str = "", editing: Partnership | None = None
) -> dict[str, Any]:
    """The form behind `/partners partnership add` (no name) and `… edit NAME`."""
    kinds = [_option(k, v) for k, v in KINDS.items()]
    lsp_kinds = [_option(k, v) for k, v in LSP_KINDS.items()]
    yes = _option("yes", "Significant, by the council's own threshold")
    blocks = [
        InputBlock(
            block_id=NAME_BLOCK,
            label="Name",
            element=PlainTextInputElement(
                action_id=NAME_INPUT,
                max_length=PARTNERSHIP_NAME_MAX,
                initial_value=name or None,
                placeholder="e.g. Retrofit Partnership",
            ),
        ),
        _input(
            CHANNEL_BLOCK,
            "Its channel",
            ConversationSelectElement(
                action_id=CHANNEL_INPUT,
                initial_conversation=facts.channel_id,
                filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
            ),
            hint="Things recorded in this channel will belong to it by default.",
        ),
        _input(
            "partners",
            "Partner organisations",
            PlainTextInputElement(
                action_id=VALUE,
                multiline=True,
                initial_value="\n".join(facts.partners) or None,
                placeholder="One a line",
            ),
        ),
        _input(
            "lead_id",
            "Lead officer",
            UserSelectElement(action_id=VALUE, initial_user=facts.lead_id),
            hint="A person: reviews are reminded to them.",
        ),
        _input(
            "kind",
            "Type",
            StaticSelectElement(
                action_id=VALUE,
                options=kinds,
                initial_option=next((o for o in kinds if o.value == facts.kind), None),
            ),
        ),
        _input(
            "lsp_kind",
            "If an LSP, its kind",
            StaticSelectElement(
                action_id=VALUE,
                options=lsp_kinds,
                initial_option=next((o for o in lsp_kinds if o.value == facts.lsp_kind), None),
            ),
        ),
        _text("objective", "Objective", facts.objective),
        _date("start_date", "Start date", facts.start_date),
        _date("next_review", "Next review", facts.next_review),
        _date("end_date", "End or exit date", facts.end_date),
    ]
    for block_id, label in (("funding_gbp", "Funding (£)"), ("budget_gbp", "Budget (£)")):
        amount = getattr(facts, block_id)
        blocks.append(
            _input(
                block_id,
                label,
                NumberInputElement(
                    action_id=VALUE,
                    is_decimal_allowed=True,
                    min_value="0",
                    initial_value=str(amount) if amount is not None else None,
                ),
            )
        )
    blocks += [
        _text("liabilities", "The council's liabilities", facts.liabilities),
        _text("risk_ref", "Risk register reference", facts.risk_ref, multiline=False),
        _text("reporting", "Reporting arrangements", facts.reporting),
        _input(
            "significant",
            "Significant partnership",
            CheckboxesElement(
                action_id=VALUE, options=[yes], initial_options=[yes] if facts.significant else None
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=EDIT_VIEW if editing else ADD_VIEW,
        private_metadata=str(editing.id) if editing else None,
        title="Edit partnership" if editing else "Add a partnership",
        submit="Save" if editing else "Add",
        close="Cancel",
        blocks=blocks,
    ).to_dict()


def _given(values: dict[str, Any], block: str, key: str = "value") -> Any:
    return ((values.get(block) or {}).get(VALUE if block != NAME_BLOCK else NAME_INPUT) or {}).get(
        key
    )


def read_partnership_form(view: dict[str, Any]) -> tuple[str, Facts]:
    """(name, facts) from a submitted form; a FactError names a field that can't be read."""
    values = view["state"]["values"]
    name = _given(values, NAME_BLOCK) or ""
    channel = ((values.get(CHANNEL_BLOCK) or {}).get(CHANNEL_INPUT) or {}).get(
        "selected_conversation"
    )
    facts = Facts(
        partners=split_partners(_given(values, "partners") or ""),
        lead_id=_given(values, "lead_id", "selected_user"),
        kind=(_given(values, "kind", "selected_option") or {}).get("value"),
        lsp_kind=(_given(values, "lsp_kind", "selected_option") or {}).get("value"),
        channel_id=channel if channel and not channel.startswith("D") else None,
        significant=bool(_given(values, "significant", "selected_options")),
    )
    for field in TEXTS:
        setattr(facts, field, _given(values, field))
    for field in DATES:
        picked = _given(values, field, "selected_date")
        try:
            setattr(facts, field, date.fromisoformat(picked) if picked else None)
        except ValueError:
            raise FactError("Pick a date from the calendar.", field) from None
    for field in MONEY:
        setattr(facts, field, money(_given(values, field), field))
    return name, facts


def block_of(field: str | None) -> str:
    """The form block a FactError or PartnershipError field is shown under."""
    return FIELD_BLOCK.get(field or "name", field or NAME_BLOCK)


def build_review_form(partnership: Partnership, today: date) -> dict[str, Any]:
    """Record a review: when, what it found, when the next one is."""
    return View(
        type="modal",
        callback_id=REVIEW_VIEW,
        private_metadata=str(partnership.id),
        title="Record a review",
        submit="Record",
        close="Cancel",
        blocks=[
            section(f"*{partnership.name}*"),
            InputBlock(
                block_id="date",
                label="Reviewed on",
                element=DatePickerElement(action_id=VALUE, initial_date=today.isoformat()),
            ),
            InputBlock(
                block_id="outcome",
                label="What the review found",
                element=PlainTextInputElement(action_id=VALUE, multiline=True, max_length=3000),
            ),
            _date("next", "Next review", None),
        ],
    ).to_dict()


def read_review_form(view: dict[str, Any]) -> tuple[date | None, str, date | None]:
    """(reviewed on, outcome, next review) from a submitted review form."""
    values = view["state"]["values"]
    picked = [_given(values, b, "selected_date") for b in ("date", "next")]
    try:
        on, nxt = (date.fromisoformat(p) if p else None for p in picked)
    except ValueError:
        raise FactError("Pick a date from the calendar.", "date") from None
    return on, _given(values, "outcome") or "", nxt


def build_close_form(partnership: Partnership, today: date) -> dict[str, Any]:
    """End a partnership: its end date and an exit note."""
    return View(
        type="modal",
        callback_id=CLOSE_VIEW,
        private_metadata=str(partnership.id),
        title="Close partnership",
        submit="Close it",
        close="Cancel",
        blocks=[
            section(
                f"*{partnership.name}* will leave the lists and reminders; its history stays "
                "and it can still be searched."
            ),
            InputBlock(
                block_id="end_date",
                label="End date",
                element=DatePickerElement(action_id=VALUE, initial_date=today.isoformat()),
            ),
            _text("note", "Exit note", None),
        ],
    ).to_dict()


def read_close_form(view: dict[str, Any]) -> tuple[date | None, str]:
    values = view["state"]["values"]
    picked = _given(values, "end_date", "selected_date")
    try:
        return (date.fromisoformat(picked) if picked else None), _given(values, "note") or ""
    except ValueError:
        raise FactError("Pick a date from the calendar.", "end_date") from None


def build_item_form(
    partnership: Partnership, item: str, status: str, note: str | None, link: str | None
) -> dict[str, Any]:
    """One agreement item's status, note and link to the document."""
    statuses = [_option(k, v) for k, v in STATUSES.items()]
    return View(
        type="modal",
        callback_id=ITEM_VIEW,
        private_metadata=f"{partnership.id}:{item}",
        title="Agreement item",
        submit="Save",
        close="Cancel",
        blocks=[
            section(f"*{partnership.name}*: {ITEMS[item]}"),
            InputBlock(
                block_id="status",
                label="Status",
                element=StaticSelectElement(
                    action_id=VALUE,
                    options=statuses,
                    initial_option=next(o for o in statuses if o.value == status),
                ),
            ),
            _text("note", "Note", note),
            _text("link", "Link to the document", link, multiline=False),
        ],
    ).to_dict()


def read_item_form(view: dict[str, Any]) -> tuple[str, str, str]:
    values = view["state"]["values"]
    status = (_given(values, "status", "selected_option") or {}).get("value") or ""
    return status, _given(values, "note") or "", _given(values, "link") or ""
