"""The App Home tab: for now a welcome and the workspace's partnerships."""

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.models.views import View

from handlers.blockkit import SURFACE_BLOCKS, context, divider, header, packed_sections, section
from handlers.register import describe
from handlers.services import Services
from knowledge.partnerships import list_partnerships
from storage.models import Partnership


def build_home(partnerships: list[Partnership]) -> dict[str, Any]:
    """The Home tab view."""
    blocks = [
        header("partnerbot"),
        section(
            "What your partnerships know, what they promised, and who is doing what. "
            "Type `/partners help` in any channel to see every command."
        ),
        divider(),
        header("Partnerships"),
    ]
    if partnerships:
        blocks += packed_sections(
            ("• " + describe(p) for p in partnerships), max_blocks=SURFACE_BLOCKS - len(blocks) - 1
        )
    else:
        blocks.append(
            section("None yet: `/partners partnership add Retrofit Partnership` in its channel.")
        )
    blocks.append(context("Your commitments and reminders will appear here."))
    return View(type="home", blocks=blocks).to_dict()


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], client: WebClient, context: dict[str, Any]) -> None:
        if event.get("tab") != "home":
            return
        with services.sessions() as session:
            partnerships = list_partnerships(session, team_id=context["team_id"])
        client.views_publish(user_id=event["user"], view=build_home(partnerships))
