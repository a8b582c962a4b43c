"""The answers on a commitment: Done, Snooze 1 day / 1 week, Update progress, Can't do this."""

from functools import partial
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
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
from handlers.commitment_flow import (
    GONE,
    NOT_YOURS,
    allowed,
    check_owners,
    commitment_named,
    earliest_today,
    mark_done,
    snooze_until,
    tell_thread,
)
from handlers.forms import done_view, once_key, refilled, working_view
from handlers.home_flow import refresh_homes
from handlers.listening import listen, refuse, workspace_of
from handlers.outbox import dm_owed
from handlers.people import person
from handlers.sending import tell
from handlers.services import Services
from knowledge.commitments import DECLINED, CommitmentError, change, close, owners_of
from knowledge.dates import DueDateError, parse_due
from knowledge.nudges import policy_for, snooze
from knowledge.workdays import local_today
from storage.claims import Repeat
from storage.models import Commitment
from storage.rows import team_row


def still_open(
    services: Services, context: BoltContext, value: Any, respond: Respond
) -> Commitment | None:
    """The open commitment a button names, or None after telling the presser why not."""
    commitment = commitment_named(services, workspace_of(context), value)
    if commitment is None or commitment.status != "open":
        tell(
            respond,
            GONE if commitment is None else f"That commitment is already {commitment.status}.",
        )
        return None
    return commitment


def done(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    user_id = body["user"]["id"]
    commitment = commitment_named(services, workspace_of(context), action.get("value"))
    if commitment is None:
        tell(respond, GONE)
        return
    if not allowed(services, client, commitment, user_id):
        tell(respond, NOT_YOURS)
        return
    try:
        fresh, owner_ids = mark_done(services, client, commitment, user_id)
    except CommitmentError as error:
        tell(respond, str(error))
        return
    tz, _ = person(client, services, user_id)
    line = summary(fresh, owner_ids, local_today(services.clock(), tz))
    # the message the button was on changes in place: no more buttons to press
    respond(
        text=f"Done: {fresh.action}",
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


def do_snooze(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
    days: int,
) -> None:
    user_id = body["user"]["id"]
    commitment = still_open(services, context, action.get("value"), respond)
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


def snooze_day(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    do_snooze(services, body, action, context, respond, client, 1)


def snooze_week(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    do_snooze(services, body, action, context, respond, client, 7)


def open_note(
    services: Services,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    callback_id = CANT_VIEW if action["action_id"] == CANT else UPDATE_VIEW
    commitment = still_open(services, context, action.get("value"), respond)
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


def note_of(view: dict[str, Any]) -> str:
    values = view["state"]["values"]
    return " ".join(((values.get("note") or {}).get("note", {}).get("value") or "").split())


def check_note(services: Services, ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
    """Before the answer: the commitment is this workspace's and open, the fields make
    sense. Who may change it can need Slack (is this an admin?), so that comes after."""
    commitment = commitment_named(services, workspace_of(context), view.get("private_metadata"))
    errors: dict[str, str] = {}
    if commitment is None or commitment.status != "open":
        errors["note"] = GONE if commitment is None else f"It is already {commitment.status}."
    elif view["callback_id"] == CANT_VIEW and not note_of(view):
        errors["note"] = "Say why, so whoever asked knows."
    elif view["callback_id"] == UPDATE_VIEW:
        values = view["state"]["values"]
        raw_due = values["due"]["due"].get("selected_date") or ""
        if raw_due != commitment.due_date.isoformat():
            try:
                parse_due(raw_due, earliest_today(services.clock()))
            except DueDateError as error:
                errors["due"] = str(error)
        chosen = values["owners"]["owners"].get("selected_users") or []
        if not chosen:
            errors["owners"] = "A commitment needs at least one owner."
        elif not errors and not note_of(view) and raw_due == commitment.due_date.isoformat():
            with services.sessions() as session:
                current = {o.user_id for o in owners_of(session, commitment.id or 0)}
            if set(chosen) == current:
                errors["note"] = "Change something, or write a note."
    if errors:
        refuse(ack, context, response_action="errors", errors=errors)
        return
    ack(response_action="update", view=working_view("Commitment", "Saving…"))


def progress(
    services: Services,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    client: WebClient,
) -> None:
    user_id = body["user"]["id"]
    commitment = commitment_named(services, workspace_of(context), view["private_metadata"])
    if commitment is None or not allowed(services, client, commitment, user_id):
        client.views_update(
            view_id=view["id"], view=refilled(view, GONE if commitment is None else NOT_YOURS)
        )
        return
    values = view["state"]["values"]
    note = note_of(view)
    tz, _ = person(client, services, user_id)
    try:
        raw_due = values["due"]["due"].get("selected_date") or ""
        due = (
            None
            if raw_due == commitment.due_date.isoformat()
            else parse_due(raw_due, local_today(services.clock(), tz))
        )
        owners = check_owners(client, services, values["owners"]["owners"]["selected_users"])
        with services.sessions() as session:
            fresh = team_row(session, Commitment, team_id=commitment.team_id, row_id=commitment.id)
            assert fresh is not None
            before = [o.user_id for o in owners_of(session, fresh.id or 0)]
            changed = change(
                session,
                fresh,
                actor_id=user_id,
                now=services.clock(),
                creator_tz=tz,
                policy=policy_for(session, fresh.team_id),
                due=due,
                owners=owners,
                note=note,
                once=once_key(view),
            )
            owner_ids = [o.user_id for o in owners_of(session, fresh.id or 0)]
    except Repeat:  # the same form sent twice: applied once
        client.views_update(view_id=view["id"], view=done_view("Commitment", "✅ Saved."))
        return
    except (DueDateError, CommitmentError) as error:
        client.views_update(view_id=view["id"], view=refilled(view, str(error)))
        return
    if not changed:
        client.views_update(
            view_id=view["id"], view=refilled(view, "Change something, or write a note.")
        )
        return
    client.views_update(
        view_id=view["id"], view=done_view("Commitment", "✅ Saved. Its thread has been told.")
    )
    if {"due", "owners"} & set(changed):  # their Home tabs list it, by date
        refresh_homes(client, services, fresh.team_id, *before, *owner_ids)
    if "due" in changed:
        tell_thread(
            client,
            fresh,
            f"📅 <@{user_id}> moved “{fresh.action}” to {fresh.due_date:%a %d %b %Y}.",
            services,
        )
    if "owners" in changed:
        tell_thread(
            client,
            fresh,
            f"👥 <@{user_id}> reassigned “{fresh.action}” to "
            + ", ".join(f"<@{o}>" for o in owner_ids)
            + ".",
            services,
        )
    if "progress" in changed:
        tell_thread(client, fresh, f"📝 <@{user_id}> on “{fresh.action}”: {note}", services)


def declined(
    services: Services,
    body: dict[str, Any],
    view: dict[str, Any],
    context: BoltContext,
    client: WebClient,
) -> None:
    user_id = body["user"]["id"]
    commitment = commitment_named(services, workspace_of(context), view["private_metadata"])
    if commitment is None or not allowed(services, client, commitment, user_id):
        client.views_update(
            view_id=view["id"], view=refilled(view, GONE if commitment is None else NOT_YOURS)
        )
        return
    note = note_of(view)
    try:
        with services.sessions() as session:
            fresh = team_row(session, Commitment, team_id=commitment.team_id, row_id=commitment.id)
            assert fresh is not None
            close(
                session,
                fresh,
                status=DECLINED,
                actor_id=user_id,
                now=services.clock(),
                note=note,
            )
            owner_ids = [o.user_id for o in owners_of(session, fresh.id or 0)]
    except CommitmentError as error:
        client.views_update(view_id=view["id"], view=refilled(view, str(error)))
        return
    client.views_update(
        view_id=view["id"],
        view=done_view("Can't do this", "Sent: whoever asked will read why."),
    )
    text = f"🚫 <@{user_id}> can't do “{fresh.action}”: {note}"
    tell_thread(client, fresh, text, services)
    if fresh.created_by != user_id:
        dm_owed(
            services,
            client,
            team_id=fresh.team_id,
            user_id=fresh.created_by,
            text=text,
            about=f"telling its creator why “{fresh.action[:80]}” can't be done",
        )
    refresh_homes(client, services, fresh.team_id, *owner_ids)


def register(app: App, services: Services) -> None:
    listen(app.action(DONE), partial(done, services))
    listen(app.action(SNOOZE_DAY), partial(snooze_day, services))
    listen(app.action(SNOOZE_WEEK), partial(snooze_week, services))
    listen(app.action(UPDATE), partial(open_note, services))
    listen(app.action(CANT), partial(open_note, services))
    listen(app.view(UPDATE_VIEW), partial(progress, services), check=partial(check_note, services))
    listen(app.view(CANT_VIEW), partial(declined, services), check=partial(check_note, services))
