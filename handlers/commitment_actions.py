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
    commitment_named,
    dm,
    person,
    snooze_until,
    tell_thread,
)
from handlers.services import Services
from knowledge.audit import record_change
from knowledge.commitments import DECLINED, CommitmentError, close, owners_of
from knowledge.commitments import DONE as STATUS_DONE
from knowledge.nudges import snooze
from knowledge.workdays import local_today


def tell(respond: Respond, text: str) -> None:
    respond(text=text, response_type="ephemeral", replace_original=False)


def register_actions(app: App, services: Services) -> None:
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
        commitment = commitment_named(services, body, action.get("value"))
        if commitment is None or commitment.status != "open":
            tell(
                respond,
                GONE if commitment is None else f"That commitment is already {commitment.status}.",
            )
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
        commitment = commitment_named(services, body, action.get("value"))
        if commitment is None or commitment.status != "open":
            tell(
                respond,
                GONE if commitment is None else f"That commitment is already {commitment.status}.",
            )
            return
        if not allowed(services, client, commitment, body["user"]["id"]):
            tell(respond, NOT_YOURS)
            return
        client.views_open(
            trigger_id=body["trigger_id"],
            view=build_note_form(callback_id, commitment, reason=callback_id == CANT_VIEW),
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

    def read_note(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient):  # type: ignore[no-untyped-def]
        note = " ".join((view["state"]["values"]["note"]["note"].get("value") or "").split())
        commitment = commitment_named(services, body, view.get("private_metadata") or "")
        if not note:
            ack(response_action="errors", errors={"note": "Write a few words first."})
            return None, None
        if commitment is None or commitment.status != "open":
            ack(response_action="errors", errors={"note": GONE})
            return None, None
        if not allowed(services, client, commitment, body["user"]["id"]):
            ack(
                response_action="errors",
                errors={"note": "Only its owners or whoever recorded it can."},
            )
            return None, None
        ack()
        return commitment, note

    @app.view(UPDATE_VIEW)
    def progress(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        commitment, note = read_note(ack, body, view, client)
        if commitment is None:
            return
        user_id = body["user"]["id"]
        with services.sessions() as session:
            commitment.progress_note = note[:1000]
            commitment.updated_at = services.clock()
            session.add(commitment)
            record_change(
                session,
                team_id=commitment.team_id,
                actor_id=user_id,
                action="edit",
                entity="commitment",
                entity_id=commitment.id or 0,
                at=services.clock(),
                detail={"progress": True},
            )
            session.commit()
        tell_thread(client, commitment, f"📝 <@{user_id}> on “{commitment.action}”: {note}")

    @app.view(CANT_VIEW)
    def declined(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        commitment, note = read_note(ack, body, view, client)
        if commitment is None:
            return
        user_id = body["user"]["id"]
        with services.sessions() as session:
            close(
                session,
                commitment,
                status=DECLINED,
                actor_id=user_id,
                now=services.clock(),
                note=note,
            )
        text = f"🚫 <@{user_id}> can't do “{commitment.action}”: {note}"
        tell_thread(client, commitment, text)
        if commitment.created_by != user_id:
            dm(client, commitment.created_by, text)
