"""Lessons learnt. The message shortcut is declared in the manifest; saving arrives next."""

from typing import Any

from slack_bolt import Ack, App, Respond

from handlers.services import Services

SAVE_AS_LESSON = "save_as_lesson"


def register(app: App, services: Services) -> None:
    @app.shortcut(SAVE_AS_LESSON)
    def save_as_lesson(ack: Ack, respond: Respond, shortcut: dict[str, Any]) -> None:
        ack()
        respond(
            text="Saving a message as a lesson learnt isn't available yet: it arrives in a "
            "coming release. `/partners help` shows what works today.",
            response_type="ephemeral",
            replace_original=False,
        )
