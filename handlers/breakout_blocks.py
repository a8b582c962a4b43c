"""Breakout rounds in Block Kit: the question card, forms, revealed answers, the summary."""

from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from handlers.blockkit import MESSAGE_BLOCKS, context, escape, header, section, truncate
from knowledge.decks import Deck
from knowledge.themes import Themes
from knowledge.workdays import zone
from storage.models import ANSWER_MAX, BreakoutQuestion, BreakoutRound

ANSWER, ANONYMOUS, NEXT, CLOSE = (
    "breakout_answer",
    "breakout_anonymous",
    "breakout_next",
    "breakout_close",
)
SAVE, COMMIT = "breakout_save", "breakout_commit"
TO_NETWORK = "breakout_to_network"
ANSWER_VIEW, ANONYMOUS_VIEW, COMMIT_VIEW = (
    "breakout_answer_form",
    "breakout_anonymous_form",
    "breakout_commit_form",
)


def anonymity(minimum: int) -> str:
    """What an anonymous answer promises, with the round's minimum of people."""
    return (
        "Anonymous: your name is not stored anywhere, not even for the facilitator or in "
        "the audit log. Answers are held back and shown together, in random order, when "
        f"the question closes, and only if at least {minimum} different people answered "
        "(each counted once, however many answers they give)."
    )


def build_card(
    round_: BreakoutRound, question: BreakoutQuestion, total: int, tz: str
) -> tuple[str, list[dict[str, Any]]]:
    """A question as the channel sees it, with its buttons."""
    ends = ""
    if question.ends_at is not None:
        ends = (
            f" · time's up at {question.ends_at.astimezone(zone(tz)):%H:%M} ({round_.minutes} min)"
        )
    label = f"Question {question.number + 1} of {total}" if total > 1 else "Question"
    text = f"{round_.title} — {label}: {question.text}"
    value = str(round_.id)
    blocks = [
        header(truncate(f"{label}: {round_.title}", 150)),
        section(f"*{escape(question.text)}*"),
        context(
            f"Facilitated by <@{round_.facilitator_id}>{ends}. Reply in this thread to "
            "answer by name, or use the buttons."
        ),
        ActionsBlock(
            block_id=f"breakout-{value}",
            elements=[
                ButtonElement(text="Add answer", action_id=ANSWER, value=value),
                ButtonElement(text="Add anonymous answer", action_id=ANONYMOUS, value=value),
                ButtonElement(text="Next question", action_id=NEXT, value=value),
                ButtonElement(text="Close", action_id=CLOSE, value=value, style="danger"),
            ],
        ).to_dict(),
    ]
    return text, blocks


def build_answer_form(
    round_: BreakoutRound, question: BreakoutQuestion, *, anonymous: bool
) -> dict[str, Any]:
    blocks: list[Any] = [section(f"*{escape(question.text)}*")]
    if anonymous:
        blocks.append(context("🔒 " + anonymity(round_.minimum)))
    blocks.append(
        InputBlock(
            block_id="answer",
            label="Your answer",
            element=PlainTextInputElement(
                action_id="answer", multiline=True, max_length=ANSWER_MAX
            ),
        )
    )
    return View(
        type="modal",
        callback_id=ANONYMOUS_VIEW if anonymous else ANSWER_VIEW,
        title="Anonymous answer" if anonymous else "Your answer",
        submit="Send",
        close="Cancel",
        private_metadata=f"{round_.id}:{question.number}",
        blocks=blocks,
    ).to_dict()


def build_revealed(revealed: tuple[str, ...], held_back: int, minimum: int) -> str:
    if revealed:
        return "🔓 *Anonymous answers*\n" + "\n".join(
            f"• {escape(truncate(a, 500))}" for a in revealed
        )
    if held_back:
        return (
            f"🔒 {held_back} anonymous answer{'s' if held_back != 1 else ''} held back: fewer "
            f"than {minimum} people answered, so showing them could give someone away."
        )
    return ""


def build_summary(
    round_: BreakoutRound, parts: list[tuple[str, Themes, int]], *, with_buttons: bool = True
) -> tuple[str, list[dict[str, Any]]]:
    """The themes that emerged, question by question, for the thread."""
    blocks = [header(truncate(f"Themes: {round_.title}", 150))]
    for text, themes, held in parts:
        lines = [f"*{escape(truncate(text, 300))}*"]
        for theme in themes.themes:
            examples = "; ".join(f"“{escape(truncate(a, 120))}”" for a in theme.answers[:2])
            lines.append(f"• *{escape(theme.name)}* ({theme.count}): {examples}")
        if themes.unthemed:
            lines.append(
                "• _Fit no theme:_ "
                + "; ".join(f"“{escape(truncate(a, 100))}”" for a in themes.unthemed[:5])
                + (f" and {len(themes.unthemed) - 5} more" if len(themes.unthemed) > 5 else "")
            )
        if not themes.themes and not themes.unthemed:
            lines.append("• No answers.")
        if held:
            lines.append(
                f"• {held} anonymous answer{'s' if held != 1 else ''} held back (fewer "
                f"than {round_.minimum} people answered)."
            )
        blocks.append(section(truncate("\n".join(lines), 3000)))
    blocks = blocks[: MESSAGE_BLOCKS - 2]
    if with_buttons:
        blocks.append(
            ActionsBlock(
                block_id=f"summary-{round_.id}",
                elements=[
                    ButtonElement(
                        text="Save as briefing note", action_id=SAVE, value=str(round_.id)
                    ),
                    ButtonElement(
                        text="Turn into commitments", action_id=COMMIT, value=str(round_.id)
                    ),
                    ButtonElement(
                        text="Save to the network", action_id=TO_NETWORK, value=str(round_.id)
                    ),
                ],
            ).to_dict()
        )
    counted = sum(t.count for _, themes, _ in parts for t in themes.themes)
    return f"Themes from “{round_.title}” ({counted} answers in themes).", blocks


def summary_text(
    round_: BreakoutRound, parts: list[tuple[str, Themes, int]], when: datetime
) -> str:
    """The summary as a briefing note's plain text."""
    lines = [f"Breakout “{round_.title}” on {when:%d %b %Y}, {len(parts)} question(s)."]
    for text, themes, held in parts:
        lines.append(f"\n{text}")
        for theme in themes.themes:
            lines.append(f"- {theme.name} ({theme.count}): " + "; ".join(theme.answers[:2]))
        if themes.unthemed:
            lines.append("- Other answers: " + "; ".join(themes.unthemed[:5]))
        if held:
            lines.append(f"- {held} anonymous answer(s) held back.")
    return truncate("\n".join(lines), 3000)


def build_decks(decks: dict[str, Deck]) -> tuple[str, list[dict[str, Any]]]:
    blocks = [header("Breakout decks")]
    for deck in decks.values():
        questions = "\n".join(f"{n}. {escape(q)}" for n, q in enumerate(deck.questions, 1))
        blocks.append(
            section(f"*{escape(deck.title)}* · `{deck.slug}`\n_{escape(deck.about)}_\n{questions}")
        )
        blocks.append(context(f"From {escape(deck.cite)}"))
    blocks.append(
        context(
            "Start one: `/partners breakout effective-partnerships for 10m`, or "
            'ask your own: `/partners breakout "What worked?" for 5m`'
        )
    )
    return f"{len(decks)} decks: " + ", ".join(decks), blocks


def build_commit_form(round_: BreakoutRound, answers: list[str]) -> dict[str, Any]:
    """Turn an answer into a commitment: pick it, then who and by when."""
    options = [Option(value=str(n), label=truncate(a, 75)) for n, a in enumerate(answers[:100])]
    return View(
        type="modal",
        callback_id=COMMIT_VIEW,
        title="Turn into commitment",
        submit="Record",
        close="Cancel",
        private_metadata=str(round_.id),
        blocks=[
            InputBlock(
                block_id="answer",
                label="From the answer",
                element=StaticSelectElement(action_id="answer", options=options),
            ),
            InputBlock(
                block_id="action",
                label="The action (blank: the answer itself)",
                optional=True,
                element=PlainTextInputElement(action_id="action", max_length=500),
            ),
            InputBlock(
                block_id="owners",
                label="Who will do it",
                element=UserMultiSelectElement(action_id="owners", max_selected_items=10),
            ),
            InputBlock(block_id="due", label="By when", element=DatePickerElement(action_id="due")),
        ],
    ).to_dict()
