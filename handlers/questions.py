"""Answering a question nobody could answer: the Answer button (facilitators and workspace
admins) opens a form; the answer is saved as a lesson or briefing note, the question is marked
answered, the asker gets a DM and the question's message says who answered."""

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.entry_access import channel_of
from handlers.forms import done_view, refilled, working_view
from handlers.home_flow import refresh_homes
from handlers.listening import listen, refuse_field, workspace_of
from handlers.people import is_manager
from handlers.question_flow import (
    ANSWER,
    ANSWER_VIEW,
    build_answer_form,
    build_answered,
    read_answer_form,
    tell_asker,
)
from handlers.sending import tell
from handlers.services import Services
from knowledge.entries import EntryError, validate
from knowledge.questions import AlreadyAnswered, answer_question, question_in

logger = logging.getLogger(__name__)
GONE = "That question no longer exists here."
NOT_YOURS = "Only the workspace's facilitators and admins answer these questions."


def register(app: App, services: Services) -> None:
    def answer_pressed(
        body: dict[str, Any],
        action: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        respond: Respond,
    ) -> None:
        team_id, user_id = workspace_of(context), body["user"]["id"]
        try:
            question_id = int(action.get("value") or "")
        except ValueError:
            tell(respond, GONE)
            return
        with services.sessions() as session:
            question = question_in(session, team_id=team_id, question_id=question_id)
        if question is None:
            tell(respond, GONE)
            return
        if question.answered_at is not None:
            tell(respond, f"<@{question.answered_by}> has answered this one already.")
            return
        if not is_manager(client, services, team_id, user_id):
            tell(respond, NOT_YOURS)
            return
        message = {"c": channel_of(body) or "", "t": (body.get("message") or {}).get("ts", "")}
        client.views_open(
            trigger_id=body["trigger_id"], view=build_answer_form(question, message=message)
        )

    def check_answer(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        try:
            _, _, draft = read_answer_form(view)
            validate(draft)
        except EntryError as error:
            field = error.field if error.field in ("title", "body", "tags") else "body"
            refuse_field(ack, context, field, str(error))
            return
        except (ValueError, KeyError, TypeError):
            refuse_field(ack, context, "body")
            return
        ack(response_action="update", view=working_view("Answer a question", "Saving it…"))

    def answer_submitted(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        team_id, user_id = workspace_of(context), body["user"]["id"]
        question_id, message, draft = read_answer_form(view)
        if not is_manager(client, services, team_id, user_id):  # the form outlived their role
            client.views_update(view_id=view["id"], view=done_view("Not saved", NOT_YOURS))
            return
        try:
            with services.sessions() as session:
                question, entry = answer_question(
                    session,
                    team_id=team_id,
                    question_id=question_id,
                    draft=draft,
                    user_id=user_id,
                    now=services.clock(),
                )
        except AlreadyAnswered as already:
            client.views_update(
                view_id=view["id"],
                view=done_view(
                    "Already answered",
                    f"<@{already.question.answered_by}> answered this question first; "
                    "yours was not saved, so nothing is doubled.",
                ),
            )
            return
        except LookupError:
            client.views_update(view_id=view["id"], view=done_view("Not saved", GONE))
            return
        except EntryError as error:
            client.views_update(view_id=view["id"], view=refilled(view, str(error)))
            return
        tell_asker(services, client, question, entry)
        refresh_homes(client, services, team_id, question.asked_by, user_id)
        if message.get("c") and message.get("t"):
            text, blocks = build_answered(question, entry)
            try:
                client.chat_update(channel=message["c"], ts=message["t"], text=text, blocks=blocks)
            except SlackApiError as error:  # the message was deleted: the answer stands
                logger.info("question message not updated: %s", error.response.get("error"))
        client.views_update(
            view_id=view["id"],
            view=done_view(
                "Answered",
                f"✅ Saved “{entry.title}” and sent it to <@{question.asked_by}>.",
                "The next person who asks finds it with `/partners ask`.",
            ),
        )

    listen(app.action(ANSWER), answer_pressed)
    listen(app.view(ANSWER_VIEW), answer_submitted, check=check_answer)
