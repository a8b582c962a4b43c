"""Block Kit for the benefits tracker: the add and update forms, the list (planned against
realised, standing, RAG), and the owner's reminder (pure builders)."""

from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    DatePickerElement,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
    UrlInputElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from handlers.blockkit import MESSAGE_BLOCKS, context, escape, section, truncate
from knowledge.benefits import RAGS, standing
from storage.models import Benefit, Partnership, Project

BENEFIT_VIEW, BENEFIT_UPDATE_VIEW = "benefit_form", "benefit_update_form"
UPDATE_BENEFIT = "update_benefit"
MARK = {"realised": "✅", "on track": "🟢", "at risk": "🟠", "missed": "🔴"}


def _input(block_id: str, label: str, element: Any, optional: bool = True) -> InputBlock:
    return InputBlock(block_id=block_id, label=label, element=element, optional=optional)


def _text(multiline: bool = False, max_length: int = 2000) -> PlainTextInputElement:
    return PlainTextInputElement(action_id="value", multiline=multiline, max_length=max_length)


def build_benefit_form(
    projects: list[Project], partnerships: list[Partnership], title: str = ""
) -> dict[str, Any]:
    """`/partners benefit add`: what, of which project or partnership, its owner and date, and
    either pounds or how it is measured."""
    options = [
        Option(value=f"project:{p.id}", label=truncate(f"Project: {p.name}", 75)) for p in projects
    ]
    options += [
        Option(value=f"partnership:{p.id}", label=truncate(f"Partnership: {p.name}", 75))
        for p in partnerships
    ]
    kinds = [
        Option(value="financial", label="Financial (£)"),
        Option(value="non_financial", label="Non-financial (a KPI or a new capability)"),
    ]
    blocks = [
        _input(
            "title",
            "The benefit",
            PlainTextInputElement(action_id="value", max_length=200, initial_value=title or None),
            optional=False,
        ),
        _input(
            "of",
            "Of",
            StaticSelectElement(action_id="value", options=options[:100]),
            optional=False,
        ),
        _input(
            "kind",
            "Kind",
            RadioButtonsElement(action_id="value", options=kinds, initial_option=kinds[0]),
            optional=False,
        ),
        _input("owner", "Owner", UserSelectElement(action_id="value"), optional=False),
        _input("due", "To be realised by", DatePickerElement(action_id="value"), optional=False),
        _input(
            "planned",
            "Planned (£, financial)",
            NumberInputElement(action_id="value", is_decimal_allowed=True, min_value="0"),
        ),
        _input("measure", "How it is measured (non-financial)", _text()),
        _input(
            "baseline", "Baseline", NumberInputElement(action_id="value", is_decimal_allowed=True)
        ),
        _input("target", "Target", NumberInputElement(action_id="value", is_decimal_allowed=True)),
        _input("narrative", "Or the capability it creates, in words", _text(multiline=True)),
    ]
    return View(
        type="modal",
        callback_id=BENEFIT_VIEW,
        title="Add a benefit",
        submit="Add",
        close="Cancel",
        blocks=blocks,
    ).to_dict()


def build_update_form(benefit: Benefit) -> dict[str, Any]:
    """Update a benefit: realised £ or the latest value, a note, RAG (a reason for green on
    old evidence), and the evidence link."""
    rags = [Option(value=r, label=r.capitalize()) for r in RAGS]
    amount = (
        _input(
            "realised",
            "Realised to date (£)",
            NumberInputElement(action_id="value", is_decimal_allowed=True, min_value="0"),
        )
        if benefit.kind == "financial"
        else _input(
            "latest",
            f"Latest value ({truncate(benefit.measure or 'the measure', 100)})",
            NumberInputElement(action_id="value", is_decimal_allowed=True),
        )
    )
    blocks: list[Any] = [
        section(f"*{escape(benefit.title)}*"),
        amount,
        _input("narrative", "What has changed", _text(multiline=True)),
        _input("rag", "RAG", StaticSelectElement(action_id="value", options=rags)),
        _input("reason", "Why green, if the evidence is over 90 days old", _text()),
        _input("evidence", "Evidence (a link)", UrlInputElement(action_id="value")),
    ]
    return View(
        type="modal",
        callback_id=BENEFIT_UPDATE_VIEW,
        private_metadata=str(benefit.id),
        title="Update a benefit",
        submit="Save",
        close="Cancel",
        blocks=blocks,
    ).to_dict()


def benefit_line(benefit: Benefit, today: date) -> str:
    """ "🟠 *Fewer calls* (at risk, amber): £40,000.00 of £120,000.00 by Wed 31 Mar 2027" """
    state = standing(benefit, today)
    rag = f", {benefit.rag}" if benefit.rag else ""
    if benefit.kind == "financial":
        amounts = f"£{benefit.realised_gbp or 0:,.2f} of £{benefit.planned_gbp or 0:,.2f}"
    elif benefit.target is not None:
        amounts = f"{benefit.latest:g} against a target of {benefit.target:g} ({escape(benefit.measure or '')})"
    else:
        amounts = escape(truncate(benefit.narrative or benefit.measure or "", 200))
    line = f"{MARK[state]} *{escape(benefit.title)}* ({state}{rag}): {amounts} by {benefit.due:%a %d %b %Y}; <@{benefit.owner_id}>"
    if benefit.rag == "green" and benefit.rag_reason:
        line += f"\n    _Green because: {escape(truncate(benefit.rag_reason, 300))}_"
    return line


def build_benefits(
    title: str, benefits: list[Benefit], today: date
) -> tuple[str, list[dict[str, Any]]]:
    """Planned against realised, each benefit's standing, and an Update button."""
    if not benefits:
        text = f"{title}: no benefits yet. `/partners benefit add` records one."
        return text, [section(text)]
    planned = sum((b.planned_gbp or 0) for b in benefits if b.kind == "financial")
    got = sum((b.realised_gbp or 0) for b in benefits if b.kind == "financial")
    counts = {s: sum(1 for b in benefits if standing(b, today) == s) for s in MARK}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    blocks = [
        section(f"*{escape(title)}*: £{got:,.2f} realised of £{planned:,.2f} planned; {summary}")
    ]
    shown = benefits[: (MESSAGE_BLOCKS - 2) // 2]
    for benefit in shown:
        blocks.append(section(truncate(benefit_line(benefit, today), 3000)))
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(text="Update", action_id=UPDATE_BENEFIT, value=str(benefit.id))
                ]
            ).to_dict()
        )
    if len(benefits) > len(shown):
        blocks.append(context(f"…and {len(benefits) - len(shown)} more."))
    return f"{title}: £{got:,.2f} realised of £{planned:,.2f} planned; {summary}.", blocks


def build_benefit_nudge(benefit: Benefit, today: date) -> tuple[str, list[dict[str, Any]]]:
    """The owner's reminder: the benefit is due (or past due) and has not been updated."""
    when = "today" if benefit.due == today else f"on {benefit.due:%a %d %b %Y}"
    text = f"📈 “{benefit.title}” was due to be realised {when}: how has it gone?"
    blocks = [
        section(escape(text)),
        section(benefit_line(benefit, today)),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="Update", action_id=UPDATE_BENEFIT, value=str(benefit.id), style="primary"
                )
            ]
        ).to_dict(),
    ]
    return text, blocks
