"""Questions nobody could answer, on the Slack side: sending one to the facilitators (or the
council's questions channel), the answer form, and telling the asker. Search, the answer
listeners and App Home all use these."""

import json
import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
)
from slack_sdk.models.views import View

from handlers.blockkit import context, escape, section, truncate
from handlers.outbox import dm_owed, send_owed
from handlers.people import rules_of
from handlers.services import Services
from knowledge.entries import BRIEF, KIND_LABELS, LESSON, Draft, clean_tags
from knowledge.questions import suggested_tags
from storage.models import TEXT_MAX, TITLE_MAX, Entry, LessonWanted

logger = logging.getLogger(__name__)
ANSWER, ANSWER_VIEW = "question_answer", "question_answer_form"
NOBODY = (
    "No facilitators are set up in this workspace yet, so I've kept your question on the App "
    "Home tab, where anyone who knows can answer it."
)


def build_question(question: LessonWanted) -> tuple[str, list[dict[str, Any]]]:
    """The message facilitators get: the question, who asked, and an Answer button."""
    asked = escape(truncate(question.question, 2000))
    where = " in a private channel" if question.private else ""
    text = f"<@{question.asked_by}> asked{where}, and the knowledge base had no answer: “{asked}”"
    return text, [
        section(f"❓ {text}"),
        ActionsBlock(
            block_id="question",
            elements=[
                ButtonElement(
                    text="Answer it", style="primary", action_id=ANSWER, value=str(question.id)
                )
            ],
        ).to_dict(),
        context("Your answer is saved as a lesson or briefing note, and the asker gets a DM."),
    ]


def build_answered(question: LessonWanted, entry: Entry | None) -> tuple[str, list[dict[str, Any]]]:
    """The same message once someone has answered it."""
    what = f"{KIND_LABELS[entry.kind].lower()} *{escape(entry.title)}*" if entry else "an answer"
    text = (
        f"✅ <@{question.answered_by}> answered “{escape(truncate(question.question, 1500))}” "
        f"with a {what}."
    )
    return text, [section(text)]


def send_question(client: WebClient, services: Services, question: LessonWanted) -> str:
    """Send a question for an answer, where its workspace's settings say; says where it went,
    in words for the asker. A private channel's question goes to facilitators by DM only,
    never to a channel."""
    text, blocks = build_question(question)
    rules = rules_of(services, question.team_id)
    channel = rules.questions_channel
    about = f"the question “{truncate(question.question, 80)}”"
    if channel and not question.private:
        posted = send_owed(
            services,
            client,
            team_id=question.team_id,
            channel=channel,
            text=text,
            blocks=blocks,
            about=about,
            author_id=question.asked_by,
        )
        if not posted.error:  # sent, or sent as soon as Slack lets us
            return f"<#{channel}>"
        logger.warning("questions channel refused", extra={"error": posted.error})
    sent = 0
    for facilitator in sorted(rules.facilitators):
        told = dm_owed(
            services,
            client,
            team_id=question.team_id,
            user_id=facilitator,
            text=text,
            blocks=blocks,
            about=about,
            author_id=question.asked_by,
        )
        if told.error:  # a facilitator who has left: the others still get it
            logger.warning("facilitator not reached", extra={"error": told.error})
        else:
            sent += 1
    if not sent:
        return ""
    return "the facilitators" if sent > 1 else "the facilitator"


def build_answer_form(question: LessonWanted, *, message: dict[str, str]) -> dict[str, Any]:
    """The form a facilitator answers in: kind, title (the question), answer, tags."""
    tags = " ".join(f"#{t}" for t in suggested_tags(question.question))
    return View(
        type="modal",
        callback_id=ANSWER_VIEW,
        title="Answer a question",
        submit="Save and send",
        close="Cancel",
        private_metadata=json.dumps({"q": question.id, **message}),
        blocks=[
            section(f"<@{question.asked_by}> asked: “{escape(truncate(question.question, 2500))}”"),
            InputBlock(
                block_id="kind",
                label="Save the answer as",
                element=RadioButtonsElement(
                    action_id="kind",
                    options=[
                        Option(value=LESSON, label="A lesson learnt"),
                        Option(value=BRIEF, label="A briefing note"),
                    ],
                    initial_option=Option(value=BRIEF, label="A briefing note"),
                ),
            ),
            InputBlock(
                block_id="title",
                label="Title",
                hint="The question itself helps the next person who asks it find this.",
                element=PlainTextInputElement(
                    action_id="title",
                    max_length=TITLE_MAX,
                    initial_value=truncate(question.question, TITLE_MAX),
                ),
            ),
            InputBlock(
                block_id="body",
                label="Your answer",
                element=PlainTextInputElement(
                    action_id="body", multiline=True, max_length=TEXT_MAX
                ),
            ),
            InputBlock(
                block_id="tags",
                label="Tags",
                optional=True,
                element=PlainTextInputElement(
                    action_id="tags", max_length=200, initial_value=tags or None
                ),
            ),
        ],
    ).to_dict()


def read_answer_form(view: dict[str, Any]) -> tuple[int, dict[str, str], Draft]:
    """(question id, the message to update, the answer as a draft) from a submitted form."""
    meta = json.loads(view.get("private_metadata") or "{}")
    values = view["state"]["values"]

    def value(block: str) -> str:
        return str((values.get(block, {}).get(block) or {}).get("value") or "")

    kind = ((values.get("kind", {}).get("kind") or {}).get("selected_option") or {}).get("value")
    draft = Draft(
        kind=kind if kind in (LESSON, BRIEF) else BRIEF,
        title=value("title"),
        body=value("body"),
        tags=clean_tags(value("tags").replace(",", " ").split()),
    )
    message = {k: str(meta[k]) for k in ("c", "t") if meta.get(k)}
    return int(meta["q"]), message, draft


def tell_asker(services: Services, client: WebClient, question: LessonWanted, entry: Entry) -> None:
    """DM the asker the answer, with how to find it again."""
    kind = KIND_LABELS[entry.kind].lower()
    text = (
        f"<@{question.answered_by}> answered your question “{truncate(question.question, 300)}” "
        f"with a {kind}: {entry.title}"
    )
    dm_owed(
        services,
        client,
        team_id=question.team_id,
        user_id=question.asked_by,
        about=f"the answer to “{truncate(question.question, 80)}”",
        author_id=question.answered_by,
        text=text,
        blocks=[
            section(
                f"💡 <@{question.answered_by}> answered your question "
                f"“{escape(truncate(question.question, 300))}”"
            ),
            section(f"*{escape(entry.title)}*\n{escape(truncate(entry.body, 2500))}"),
            context(f"Saved as a {kind}: `/partners ask` finds it again."),
        ],
    )
