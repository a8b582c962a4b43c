"""`/partners settings`: a workspace's own settings, for its admins and owners and the people it
names as partnerbot admins: facilitators, where unanswered questions go, how many people must
answer before anything anonymous shows, which organisations it trusts, reminders and scoring.
Saved all or nothing, audited; nothing of one council's settings applies to another."""

from dataclasses import replace
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.forms import done_view, working_view
from handlers.home_flow import publish_home
from handlers.listening import listen, refuse_field, workspace_of
from handlers.people import MEMBER, person, pressed_by, rules_of, standing_of
from handlers.sending import dm
from handlers.services import Services
from handlers.settings_blocks import (
    OPEN_SETTINGS,
    SETTINGS_VIEW,
    Everything,
    build_settings_form,
    people_words,
    read_settings_form,
)
from handlers.subcommands import MEMBERS, Invocation, Subcommand
from knowledge.nudges import policy_for
from knowledge.scoring_rules import rules_for as scoring_rules_for
from knowledge.workspace_settings import SettingsError, save_all
from storage.teams import org_of

NOT_ADMIN = (
    "Only the workspace's admins and owners, and the people they name as partnerbot admins, "
    "can change its settings."
)


def current(services: Services, team_id: str) -> Everything:
    """The workspace's settings, nudge policy and scoring rules as they are now."""
    rules = rules_of(services, team_id)
    with services.sessions() as session:
        return Everything(
            rules=rules,
            policy=policy_for(session, team_id),
            scoring=scoring_rules_for(session, team_id),
        )


def run(call: Invocation) -> None:
    """`/partners settings`: the form, for admins only."""
    if not call.viewer.admin:
        call.reply(NOT_ADMIN)
        return
    form = build_settings_form(current(call.services, call.team_id))
    call.client.views_open(trigger_id=call.trigger_id, view=form)


SUBCOMMANDS = (
    Subcommand(
        "settings",
        "settings",
        "the workspace's settings: facilitators, questions, anonymity, partners, reminders, "
        "scoring (admins)",
        "/partners settings",
        run=run,
        open_to=MEMBERS,
    ),
)


def members_only(
    client: WebClient, services: Services, team_id: str, people: frozenset[str]
) -> tuple[frozenset[str], list[str]]:
    """(the council's own people among `people`, everyone left out): a facilitator or admin
    manages what the council knows, so guests, other organisations' people, bots and
    deactivated accounts are never one."""
    with services.sessions() as session:
        org = org_of(session, team_id)
    kept, left_out = set(), []
    for user_id in sorted(people):
        _, user = person(client, services, user_id)
        standing, _ = standing_of(user, team_id, org)
        if standing == MEMBER and user and not user.get("is_bot") and not user.get("deleted"):
            kept.add(user_id)
        else:
            left_out.append(user_id)
    return frozenset(kept), left_out


def register(app: App, services: Services) -> None:
    def open_pressed(body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        team_id = workspace_of(context)
        if not pressed_by(client, services, team_id, body).admin:
            dm(client, body["user"]["id"], NOT_ADMIN)
            return
        form = build_settings_form(current(services, team_id))
        client.views_open(trigger_id=body["trigger_id"], view=form)

    def check(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        """Before the answer: the form's own values make sense (no Web API, no writes)."""
        before = current(services, workspace_of(context))
        try:
            read_settings_form(view["state"]["values"], before)
        except SettingsError as error:
            block = "ranges" if error.field == "scoring" else error.field
            refuse_field(ack, context, block, str(error))
            return
        ack(response_action="update", view=working_view("Workspace settings", "Saving…"))

    def submitted(
        body: dict[str, Any], view: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        team_id, user_id = workspace_of(context), body["user"]["id"]
        if not pressed_by(client, services, team_id, body).admin:  # the form outlived the role
            client.views_update(view_id=view["id"], view=done_view("Not saved", NOT_ADMIN))
            return
        wanted = read_settings_form(view["state"]["values"], current(services, team_id))
        facilitators, left_out = members_only(client, services, team_id, wanted.rules.facilitators)
        admins, also_left = members_only(client, services, team_id, wanted.rules.admins)
        rules = replace(wanted.rules, facilitators=facilitators, admins=admins)
        try:
            with services.sessions() as session:
                saved = save_all(
                    session,
                    team_id=team_id,
                    rules=rules,
                    policy=wanted.policy,
                    scoring=wanted.scoring,
                    actor_id=user_id,
                    now=services.clock(),
                )
        except SettingsError as error:
            client.views_update(
                view_id=view["id"], view=done_view("Not saved", f"Nothing was saved: {error}")
            )
            return
        said = (
            f"Saved. Facilitators: {people_words(saved.facilitators)}. partnerbot admins: "
            f"{people_words(saved.admins)}."
        )
        dropped = sorted(set(left_out) | set(also_left))
        note = (
            f"Left out, as only the council's own people can be: {people_words(frozenset(dropped))}."
            if dropped
            else None
        )
        client.views_update(view_id=view["id"], view=done_view("Settings saved", said, note))
        publish_home(client, services, team_id, user_id)

    listen(app.action(OPEN_SETTINGS), open_pressed)
    listen(app.view(SETTINGS_VIEW), submitted, check=check)
