"""The App Home tab: published when opened (and by other features when their change shows on
it, through home_flow); its own buttons mark a commitment done or snooze it, and open the
forms for the common actions."""

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from handlers.commitment_blocks import build_form as build_commit_form
from handlers.commitment_flow import (
    GONE,
    NOT_YOURS,
    allowed,
    commitment_named,
    mark_done,
    snooze_until,
)
from handlers.entry_forms import FormContext
from handlers.entry_forms import build_form as build_entry_form
from handlers.home_flow import (
    HOME_COMMIT,
    HOME_DONE,
    HOME_LESSON,
    HOME_PARTNERSHIP,
    HOME_SNOOZE,
    publish_home,
)
from handlers.listening import listen, workspace_of
from handlers.people import pressed_by
from handlers.register_forms import build_partnership_form
from handlers.sending import dm
from handlers.services import Services
from knowledge.commitments import CommitmentError
from knowledge.entries import LESSON
from knowledge.nudges import snooze
from knowledge.partnerships import choosable
from knowledge.register_facts import Facts


def register(app: App, services: Services) -> None:
    def home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        if event.get("tab") != "home":
            return
        publish_home(client, services, workspace_of(context), event["user"])

    def on_commitment(
        body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Done or Snooze a week, pressed on the Home tab: no message to answer in, so the tab
        itself changes, and anything to say comes by DM."""
        team_id, user_id = workspace_of(context), body["user"]["id"]
        commitment = commitment_named(services, team_id, action.get("value"))
        problem = None
        if commitment is None or commitment.status != "open":
            problem = (
                GONE if commitment is None else f"That commitment is already {commitment.status}."
            )
        elif not allowed(services, client, commitment, user_id):
            problem = NOT_YOURS
        elif action["action_id"] == HOME_DONE:
            try:
                mark_done(services, client, commitment, user_id)
            except CommitmentError as error:
                problem = str(error)
        else:
            until = snooze_until(services, client, user_id, 7)
            with services.sessions() as session:
                snooze(session, commitment=commitment, user_id=user_id, until=until)
        if problem:
            dm(client, user_id, problem)
        if problem or action["action_id"] != HOME_DONE:  # done: mark_done has republished it
            publish_home(client, services, team_id, user_id)

    def open_form(
        body: dict[str, Any], action: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        team_id = workspace_of(context)
        everything = pressed_by(client, services, team_id, body).full
        with services.sessions() as session:
            partnerships = choosable(
                session, team_id=team_id, channel_id=None, everything=everything
            )
        if action["action_id"] == HOME_COMMIT:
            view = build_commit_form(partnerships, None, None)
        elif action["action_id"] == HOME_LESSON:
            view = build_entry_form(
                FormContext(kind=LESSON, channel_id=None, private_channel=False),
                partnerships=partnerships,
                default_partnership=None,
            )
        elif everything:
            view = build_partnership_form(Facts(partners=[]))
        else:  # the register is the council's
            dm(client, body["user"]["id"], "Only the council's own people add partnerships.")
            return
        client.views_open(trigger_id=body["trigger_id"], view=view)

    listen(app.event("app_home_opened"), home_opened)
    listen(app.action(HOME_DONE), on_commitment)
    listen(app.action(HOME_SNOOZE), on_commitment)
    for action_id in (HOME_COMMIT, HOME_LESSON, HOME_PARTNERSHIP):
        listen(app.action(action_id), open_form)
