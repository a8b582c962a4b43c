"""The answers on a commitment: Done, Snooze 1 day / 1 week, Update progress, Can't do this."""

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from handlers.commitment_blocks import (
    CANT,
    CANT_VIEW,
    DONE,
    SNOOZE_DAY,
    SNOOZE_WEEK,
    UPDATE,
    UPDATE_VIEW,
    build_note_form,
    summary,
)
from handlers.commitments import (
    GONE,
    NOT_YOURS,
    allowed,
    check_owners,
    commitment_named,
    dm,
    person,
    snooze_until,
    tell_thread,
)
from handlers.search import tell
from handlers.services import Services
from knowledge.commitments import DECLINED, CommitmentError, change, close, owners_of
from knowledge.commitments import DONE as STATUS_DONE
from knowledge.dates import DueDateError, parse_due
from knowledge.nudges import policy_for, snooze
from knowledge.workdays import local_today
from storage.models import Commitment


def still_open(
    services: Services, body: dict[str, Any], value: str | None, respond: Respond
) -> Commitment | None:
    """The open commitment a button names, or None after telling the presser why not."""
    commitment = commitment_named(services, body, value or "")
    if commitment is None or commitment.status != "open":
        tell(
            respond,
            GONE if commitment is None else f"That commitment is already {commitment.status}.",
        )
        return None
    return commitment


def register(app: App, services: Services) -> None:
    @app.action(DONE)
    def done(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        user_id = body["user"]["id"]
        commitment = commitment_named(services, body, action.get("value"))
        if commitment is None:
            tell(respond, GONE)
            return
        if not allowed(services, client, commitment, user_id):
            tell(respond, NOT_YOURS)
            return
        try:
            with services.sessions() as session:
                close(
                    session, commitment, status=STATUS_DONE, actor_id=user_id, now=services.clock()
                )
                owner_ids = [o.user_id for o in owners_of(session, commitment.id or 0)]
        except CommitmentError as error:
            tell(respond, str(error))
            return
        tz, _ = person(client, services, user_id)
        line = summary(commitment, owner_ids, local_today(services.clock(), tz))
        # the message the button was on changes in place: no more buttons to press
        respond(
            text=f"Done: {commitment.action}",
            replace_original=True,
            blocks=[
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": f"✅ *Done*, marked by <@{user_id}>\n{line}",
                    },
                }
            ],
        )
        tell_thread(client, commitment, f"✅ Done: {commitment.action} (marked by <@{user_id}>)")
        if commitment.created_by != user_id:
            dm(client, commitment.created_by, f"✅ <@{user_id}> marked done: {commitment.action}")

    def do_snooze(
        body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient, days: int
    ) -> None:
        user_id = body["user"]["id"]
        commitment = still_open(services, body, action.get("value"), respond)
        if commitment is None:
            return
        until = snooze_until(services, client, user_id, days)
        with services.sessions() as session:
            moved = snooze(session, commitment=commitment, user_id=user_id, until=until)
        if moved:
            tell(
                respond,
                f"Snoozed: I'll remind you again on {until:%a %d %b}. The due date "
                f"stays {commitment.due_date:%a %d %b}.",
            )
        else:
            tell(respond, f"Already snoozed: I'll remind you on {until:%a %d %b}.")

    @app.action(SNOOZE_DAY)
    def snooze_day(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        do_snooze(body, action, respond, client, 1)

    @app.action(SNOOZE_WEEK)
    def snooze_week(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        do_snooze(body, action, respond, client, 7)

    def open_note(
        body: dict[str, Any],
        action: dict[str, Any],
        respond: Respond,
        client: WebClient,
        callback_id: str,
    ) -> None:
        commitment = still_open(services, body, action.get("value"), respond)
        if commitment is None:
            return
        if not allowed(services, client, commitment, body["user"]["id"]):
            tell(respond, NOT_YOURS)
            return
        with services.sessions() as session:
            owner_ids = [o.user_id for o in owners_of(session, commitment.id or 0)]
        client.views_open(
            trigger_id=body["trigger_id"],
            view=build_note_form(
                callback_id, commitment, reason=callback_id == CANT_VIEW, owner_ids=owner_ids
            ),
        )

    @app.action(UPDATE)
    def update(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        open_note(body, action, respond, client, UPDATE_VIEW)

    @app.action(CANT)
    def cant(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        open_note(body, action, respond, client, CANT_VIEW)

    def checked(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> Commitment | None:
        """The commitment a form is about, if it is still open and this person may change it;
        otherwise the form shows why."""
        commitment = commitment_named(services, body, view.get("private_metadata") or "")
        if commitment is None or commitment.status != "open":
            problem = GONE if commitment is None else f"It is already {commitment.status}."
            ack(response_action="errors", errors={"note": problem})
            return None
        if not allowed(services, client, commitment, body["user"]["id"]):
            ack(response_action="errors", errors={"note": NOT_YOURS})
            return None
        return commitment

    @app.view(UPDATE_VIEW)
    def progress(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        values = view["state"]["values"]
        commitment = checked(ack, body, view, client)
        if commitment is None:
            return
        user_id = body["user"]["id"]
        note = " ".join((values["note"]["note"].get("value") or "").split())
        tz, _ = person(client, services, user_id)
        try:
            raw_due = values["due"]["due"].get("selected_date") or ""
            due = (
                None
                if raw_due == commitment.due_date.isoformat()
                else parse_due(raw_due, local_today(services.clock(), tz))
            )
            owners = check_owners(
                client, services, values["owners"]["owners"].get("selected_users") or []
            )
            with services.sessions() as session:
                changed = change(
                    session,
                    session.merge(commitment),
                    actor_id=user_id,
                    now=services.clock(),
                    creator_tz=tz,
                    policy=policy_for(session, commitment.team_id),
                    due=due,
                    owners=owners,
                    note=note,
                )
        except DueDateError as error:
            ack(response_action="errors", errors={"due": str(error)})
            return
        except CommitmentError as error:
            ack(
                response_action="errors",
                errors={"owners" if error.field == "owners" else "note": str(error)},
            )
            return
        if not changed:
            ack(response_action="errors", errors={"note": "Change something, or write a note."})
            return
        ack()
        with services.sessions() as session:
            fresh = session.get(Commitment, commitment.id)
            owner_ids = [o.user_id for o in owners_of(session, commitment.id or 0)]
        assert fresh is not None
        if "due" in changed:
            tell_thread(
                client,
                fresh,
                f"📅 <@{user_id}> moved “{fresh.action}” to {fresh.due_date:%a %d %b %Y}.",
            )
        if "owners" in changed:
            tell_thread(
                client,
                fresh,
                f"👥 <@{user_id}> reassigned “{fresh.action}” to "
                + ", ".join(f"<@{o}>" for o in owner_ids)
                + ".",
            )
        if "progress" in changed:
            tell_thread(client, fresh, f"📝 <@{user_id}> on “{fresh.action}”: {note}")

    @app.view(CANT_VIEW)
    def declined(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        commitment = checked(ack, body, view, client)
        if commitment is None:
            return
        note = " ".join((view["state"]["values"]["note"]["note"].get("value") or "").split())
        if not note:
            ack(response_action="errors", errors={"note": "Say why, so whoever asked knows."})
            return
        ack()
        user_id = body["user"]["id"]
        with services.sessions() as session:
            close(
                session,
                session.merge(commitment),
                status=DECLINED,
                actor_id=user_id,
                now=services.clock(),
                note=note,
            )
        text = f"🚫 <@{user_id}> can't do “{commitment.action}”: {note}"
        tell_thread(client, commitment, text)
        if commitment.created_by != user_id:
            dm(client, commitment.created_by, text)
