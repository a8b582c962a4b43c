"""Block Kit for health pulses: the member's DM, the anonymous form, the result posted in the
partnership's channel, and the health section of the card and App Home (pure builders)."""

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from handlers.blockkit import context, escape, section, truncate
from knowledge.pulses import COMMENT_MAX, DIMENSIONS, SHOW_FROM, Health, Result, overall
from storage.models import Partnership, Pulse

ANSWER_PULSE, PULSE_VIEW = "pulse_answer", "pulse_form"


def anonymity(pulse: Pulse) -> str:
    """What answering a pulse promises, with its minimum of answers."""
    return (
        "Anonymous: your name is not stored with your answer, in the audit or in the logs. "
        f"Results are shown only when the pulse closes with {max(SHOW_FROM, pulse.minimum)} or "
        "more answers, and nobody sees how many have answered before then."
    )


SCALE = {1: "1 · poor", 2: "2 · weak", 3: "3 · fair", 4: "4 · good", 5: "5 · strong"}


def bar(value: float) -> str:
    """A rating out of 5 as a little bar that reads at a glance (the figure is beside it)."""
    filled = round(value * 2)
    return "▰" * filled + "▱" * (10 - filled)


def build_pulse_dm(partnership: Partnership, pulse: Pulse) -> tuple[str, list[dict[str, Any]]]:
    """The DM that asks a member to answer: what, by when, and that it is anonymous."""
    name = escape(partnership.name)
    text = f"How is {partnership.name} doing? A one-minute anonymous pulse, open until {pulse.closes_at:%a %d %b}."
    blocks = [
        section(
            f"*How is {name} doing?*\nRate it 1 to 5 on seven things that make a partnership "
            f"work. It takes a minute and is open until *{pulse.closes_at:%a %d %b %Y}*."
        ),
        context("🔒 " + anonymity(pulse)),
        ActionsBlock(
            block_id=f"pulse-{pulse.id}",
            elements=[
                ButtonElement(
                    text="Answer anonymously",
                    action_id=ANSWER_PULSE,
                    value=str(pulse.id),
                    style="primary",
                )
            ],
        ).to_dict(),
    ]
    return text, blocks


def build_pulse_form(partnership: Partnership, pulse: Pulse) -> dict[str, Any]:
    """The anonymous form: seven 1-5 ratings and an optional comment."""
    options = [Option(value=str(v), label=label) for v, label in SCALE.items()]
    blocks: list[Any] = [
        section(f"*{escape(truncate(partnership.name, 200))}*: how is the partnership doing?"),
        context("🔒 " + anonymity(pulse) + " Answer again to change your answer."),
    ]
    blocks += [
        InputBlock(
            block_id=key,
            label=label,
            element=StaticSelectElement(
                action_id="value", placeholder="1 (poor) to 5 (strong)", options=options
            ),
        )
        for key, label in DIMENSIONS.items()
    ]
    blocks.append(
        InputBlock(
            block_id="comment",
            label="Anything to add?",
            optional=True,
            element=PlainTextInputElement(
                action_id="value", multiline=True, max_length=COMMENT_MAX
            ),
        )
    )
    return View(
        type="modal",
        callback_id=PULSE_VIEW,
        title="Partnership pulse",
        submit="Send anonymously",
        close="Cancel",
        private_metadata=str(pulse.id),
        blocks=blocks,
    ).to_dict()


def averages_text(averages: dict[str, float]) -> str:
    """Each part's average as a bar and a figure, one a line."""
    return "\n".join(
        f"`{bar(averages[key])}` {averages[key]:.1f}  {label}" for key, label in DIMENSIONS.items()
    )


def build_result(partnership: Partnership, found: Result) -> tuple[str, list[dict[str, Any]]]:
    """A closed pulse, posted in the partnership's channel: averages and shuffled comments from
    its minimum of answers up; below that, only that too few answered."""
    name = escape(partnership.name)
    if not found.shown or found.averages is None:
        text = (
            f"The {partnership.name} pulse has closed with fewer than {found.minimum} answers, "
            "so nothing is shown, to keep answers anonymous."
        )
        return text, [section(f"🔒 {escape(text)}")]
    text = (
        f"{partnership.name} pulse: {found.answered} answers, overall "
        f"{overall(found.averages):.1f} out of 5."
    )
    blocks = [
        section(f"*{name}: health pulse* ({found.answered} answers, anonymous)"),
        section(averages_text(found.averages)),
    ]
    if found.comments:
        lines = [f"• {escape(truncate(c, 300))}" for c in found.comments[:10]]
        blocks.append(section(truncate("*Comments* (in no order)\n" + "\n".join(lines), 3000)))
    return text, blocks


def health_blocks(
    health: Health, *, alt_text: str, name: str | None = None
) -> list[dict[str, Any]]:
    """The health section of a card or App Home: the latest shown pulse's averages and the trend
    picture; whether an open pulse has enough answers yet (never how many, nor what); nothing
    of a pulse below its minimum."""
    blocks: list[dict[str, Any]] = []
    latest = health.trend[-1] if health.trend else None
    if latest is not None and latest.averages is not None:
        closed = latest.pulse.closed_at
        blocks.append(
            section(
                f"*Health pulse{f': {escape(name)}' if name else ''}* ({latest.answered} answers"
                f"{f', {closed:%d %b %Y}' if closed else ''}): overall "
                f"{overall(latest.averages):.1f} out of 5\n" + averages_text(latest.averages)
            )
        )
        if latest.pulse.chart_file_id:
            blocks.append(
                {
                    "type": "image",
                    "slack_file": {"id": latest.pulse.chart_file_id},
                    "alt_text": truncate(alt_text, 2000),
                }
            )
    elif health.latest is not None:
        blocks.append(
            context(
                f"🔒 Health pulse{f' of {escape(name)}' if name else ''}: too few people have "
                "answered a pulse for anything to be shown yet."
            )
        )
    if health.open_pulse is not None:
        blocks.append(
            context(
                f"A pulse{f' of {escape(name)}' if name else ''} is open until "
                f"{health.open_pulse.closes_at:%a %d %b}: "
                + (
                    "enough have answered to show results when it closes."
                    if health.open_enough
                    else "results when it closes, if enough people answer."
                )
            )
        )
    return blocks
