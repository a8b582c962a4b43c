"""What the register's listeners share on the Slack side: who may change a partnership, the
lead's time zone, checking a lead is a person, and a partnership's card as the viewer sees it."""

from typing import Any

from slack_bolt import BoltContext, Respond
from slack_sdk import WebClient
from sqlmodel import Session, col, select

from handlers.blockkit import escape
from handlers.forms import refilled
from handlers.listening import workspace_of
from handlers.people import is_manager, person, viewer_of
from handlers.pulse_blocks import health_blocks
from handlers.pulse_flow import trend_words
from handlers.register_blocks import (
    build_card,
    build_checklist,
)
from handlers.sending import tell
from handlers.services import Services
from handlers.subcommands import Invocation, suggestion
from knowledge.agreement import checklist
from knowledge.commitments import open_commitments, owners_of
from knowledge.partnerships import resolve_partnership
from knowledge.pulses import health
from knowledge.register import standings
from knowledge.reviews import reviews_of
from knowledge.workdays import local_today
from storage.models import PARTNERSHIP_NAME_MAX, Entry, Partnership
from storage.rows import team_row

NOT_YOURS = "Only its lead officer, workspace admins and facilitators can change a partnership."
GONE = "That partnership isn't in this workspace any more. Try `/partners partnership list`."
CLOSED = "That partnership is closed: its history stays, but it can't be changed."


def partnership_named(services: Services, team_id: str, value: Any) -> Partnership | None:
    """The partnership a button or form names, if it is this workspace's."""
    with services.sessions() as session:
        return team_row(session, Partnership, team_id=team_id, row_id=value)


def named(call: Invocation, name: str, usage: str) -> Partnership | None:
    """The partnership a subcommand's caller named (typo-tolerant), or None after telling them
    there is none, with what they might have meant and `usage`."""
    if not name:
        call.reply(f"Which partnership? {usage}")
        return None
    with call.services.sessions() as session:
        found, guess = resolve_partnership(session, team_id=call.team_id, name=name)
    if found is None:
        hint = f" Did you mean *{escape(guess)}*?" if guess else ""
        text = (
            f"There is no partnership called “{escape(name[:PARTNERSHIP_NAME_MAX])}”.{hint} {usage}"
        )
        if guess and call.name:
            at = call.args.casefold().rfind(name.casefold())
            args = call.args[:at] + guess if at >= 0 else guess
            call.reply(text, suggestion(text, f"{call.name} {args}", label=f"Yes: {guess}"[:75]))
        else:
            call.reply(text)
    return found


def may_manage(
    client: WebClient, services: Services, partnership: Partnership, user_id: str
) -> bool:
    """Its lead, workspace admins and facilitators may change a partnership."""
    return partnership.lead_id == user_id or is_manager(
        client, services, partnership.team_id, user_id
    )


def lead_zone(client: WebClient, services: Services, lead_id: str | None) -> str:
    """The time zone the lead's review reminders are timed in."""
    return person(client, services, lead_id)[0] if lead_id else services.timezone


def lead_problem(client: WebClient, services: Services, lead_id: str | None) -> str | None:
    """Why this lead can't be the lead officer (a bot, someone deactivated, someone Slack
    does not know), or None."""
    if lead_id is None:
        return None
    _, user = person(client, services, lead_id)
    if user is None:
        return "Slack doesn't know that lead officer: pick a person in this workspace."
    if user.get("is_bot") or lead_id == "USLACKBOT":
        return "The lead officer must be a person, not a bot."
    if user.get("deleted"):
        return "That person's account is deactivated: pick a current lead officer."
    return None


def checklist_of(
    services: Services, client: WebClient, partnership: Partnership, *, user_id: str
) -> tuple[str, list[dict[str, Any]]]:
    """The whole agreement checklist for one viewer: menus only if they may change it."""
    can_edit = partnership.status == "open" and may_manage(client, services, partnership, user_id)
    with services.sessions() as session:
        items = checklist(session, partnership)
    return build_checklist(partnership, items, can_edit=can_edit)


def card_of(
    services: Services,
    client: WebClient,
    partnership: Partnership,
    *,
    user_id: str,
    channel_id: str | None,
) -> tuple[str, list[dict[str, Any]]]:
    """A partnership's card for one viewer: menus and buttons only if they may change it;
    lessons saved in a private channel only when the card is shown in that channel; for
    someone from outside the council (or a guest), only the lessons and commitments recorded
    in the channel it is shown in."""
    tz, user = person(client, services, user_id)  # one users.info: time zone and admin alike
    seer = viewer_of(services, partnership.team_id, user_id, user)
    today = local_today(services.clock(), tz)
    can_edit = partnership.status == "open" and (partnership.lead_id == user_id or seer.manager)
    with services.sessions() as session:
        [standing] = standings(session, [partnership], today=today)
        items = checklist(session, partnership)
        owed = open_commitments(session, team_id=partnership.team_id, partnership_id=partnership.id)
        commitments = [
            (c, [o.user_id for o in owners_of(session, c.id or 0)])
            for c in owed
            if seer.full or c.channel_id == channel_id
        ][:8]
        visible = (
            (col(Entry.private).is_(False)) | (Entry.channel_id == channel_id)
            if seer.full
            else (Entry.channel_id == channel_id)
        )
        entries = list(
            session.exec(
                select(Entry)
                .where(Entry.team_id == partnership.team_id)
                .where(Entry.partnership_id == partnership.id)
                .where(col(Entry.deleted_at).is_(None))
                .where(visible)
                .order_by(col(Entry.created_at).desc())
                .limit(5)
            )
        )
        reviews = reviews_of(session, partnership)
        pulse_health = health(session, partnership)
    return build_card(
        standing,
        today=today,
        items=items,
        commitments=commitments,
        entries=entries,
        reviews=reviews,
        can_edit=can_edit,
        health=health_blocks(pulse_health, alt_text=trend_words(partnership, pulse_health)),
    )


def in_session(session: Session, partnership: Partnership) -> Partnership:
    """The partnership as `session` holds it (the domain changes it there)."""
    fresh = team_row(session, Partnership, team_id=partnership.team_id, row_id=partnership.id)
    if fresh is None:  # deleted between the check and the work
        raise LookupError(GONE)
    return fresh


def changeable(
    services: Services,
    context: BoltContext,
    value: Any,
    user_id: str,
    client: WebClient,
    respond: Respond,
) -> Partnership | None:
    """The open partnership a button names, if this person may change it; else None after
    saying why not."""
    partnership = partnership_named(services, workspace_of(context), value)
    if partnership is None or partnership.status != "open":
        tell(respond, GONE if partnership is None else CLOSED)
        return None
    if not may_manage(client, services, partnership, user_id):
        tell(respond, NOT_YOURS)
        return None
    return partnership


def form_partnership(
    services: Services, view: dict[str, Any], context: BoltContext
) -> Partnership | None:
    meta = str(view.get("private_metadata") or "").split(":")[0]
    found = partnership_named(services, workspace_of(context), meta)
    return found if found is not None and found.status == "open" else None


def submitted(
    services: Services, view: dict[str, Any], context: BoltContext, client: WebClient, user_id: str
) -> Partnership | None:
    """The open partnership a submitted form is about, if this person may change it; else
    None, with the form shown again saying why not."""
    partnership = form_partnership(services, view, context)
    if partnership is None or not may_manage(client, services, partnership, user_id):
        problem = CLOSED if partnership is None else NOT_YOURS
        client.views_update(view_id=view["id"], view=refilled(view, problem))
        return None
    return partnership
