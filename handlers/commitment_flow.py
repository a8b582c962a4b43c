"""Recording a commitment and talking about it in Slack: shared by `/partners commit`, its form,
a breakout's "Turn into commitments", the buttons on a commitment, and the reminder jobs."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from slack_sdk import WebClient

from handlers.blockkit import escape
from handlers.commitment_blocks import build_confirmation, build_nudge
from handlers.forms import done_view, once_key, refilled
from handlers.home_flow import refresh_homes
from handlers.outbox import dm_owed, send_owed
from handlers.people import is_manager, person
from handlers.services import Services
from knowledge.commitments import (
    DONE,
    OWNERS_MAX,
    CommitmentError,
    Owner,
    check_action,
    close,
    mark_unreachable,
    may_change,
    owners_of,
    record_commitment,
)
from knowledge.dates import DueDateError, parse_due
from knowledge.nudges import policy_for
from knowledge.partnerships import channel_partnership
from knowledge.workdays import local_today, next_working_day, nudge_instant
from storage.claims import Repeat
from storage.models import Commitment, Partnership
from storage.rows import team_row

logger = logging.getLogger(__name__)

GONE = "That commitment isn't here any more (or belongs to another workspace)."
NOT_YOURS = (
    "Only its owners, whoever recorded it, a workspace admin or a facilitator can change it."
)
# the earliest local date anywhere (UTC-12): a form's date is checked against it before the ack,
# and against the person's own today once Slack has told us their time zone
EARLIEST_ZONE = timedelta(hours=12)


def earliest_today(now: datetime) -> date:
    """Today somewhere on Earth, at the latest: no one's due date may be before it."""
    return (now - EARLIEST_ZONE).date()


@dataclass(frozen=True)
class CommitForm:
    """A commitment form as submitted, checked as far as it can be without asking Slack."""

    owner_ids: list[str]
    action: str
    raw_due: str
    partnership_id: int | None = None
    partner_org: str | None = None
    done_when: str | None = None


def read_commit_form(values: dict[str, Any], now: datetime) -> tuple[CommitForm | None, dict]:
    """The form's values, or the errors to show beside its fields (no Web API call)."""
    owner_ids = list((values.get("owners") or {}).get("owners", {}).get("selected_users") or [])
    raw_due = (values.get("due") or {}).get("due", {}).get("selected_date") or ""
    chosen = (
        ((values.get("partnership") or {}).get("partnership") or {}).get("selected_option") or {}
    ).get("value")
    errors: dict[str, str] = {}
    if not owner_ids:
        errors["owners"] = "Choose who will do it."
    elif len(owner_ids) > OWNERS_MAX:
        errors["owners"] = f"Give a commitment at most {OWNERS_MAX} owners."
    action = ""
    try:
        action = check_action((values.get("action") or {}).get("action", {}).get("value") or "")
    except CommitmentError as error:
        errors["action"] = str(error)
    try:
        parse_due(raw_due, earliest_today(now))
    except DueDateError as error:
        errors["due"] = str(error)
    if errors:
        return None, errors
    return (
        CommitForm(
            owner_ids=owner_ids,
            action=action,
            raw_due=raw_due,
            partnership_id=int(chosen) if chosen and str(chosen).isdigit() else None,
            partner_org=(values.get("partner_org") or {}).get("partner_org", {}).get("value"),
            done_when=(values.get("done_when") or {}).get("done_when", {}).get("value"),
        ),
        {},
    )


def check_owners(client: WebClient, services: Services, owner_ids: list[str]) -> list[Owner]:
    """The owners with their time zones; CommitmentError for a bot or someone Slack lost."""
    owners = []
    for user_id in owner_ids:
        tz, user = person(client, services, user_id)
        if user is None or user.get("deleted"):
            raise CommitmentError(f"I can't find <@{user_id}> in this workspace.", "owners")
        if user.get("is_bot"):
            raise CommitmentError(f"<@{user_id}> is a bot; commitments belong to people.", "owners")
        owners.append(Owner(user_id, tz))
    return owners


def tell_thread(client: WebClient, commitment: Commitment, text: str, services: Services) -> None:
    """Say something in the commitment's origin thread, where the partnership can see it (once
    its announcement is posted: the outbox waits for it)."""
    if commitment.channel_id and not commitment.channel_id.startswith("D"):
        send_owed(
            services,
            client,
            team_id=commitment.team_id,
            channel=commitment.channel_id,
            text=text,
            thread_of=f"commitment:{commitment.id}",
            about=f"a note in the thread of “{commitment.action[:80]}”",
        )


def record(
    services: Services,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    channel_id: str | None,
    owner_ids: list[str],
    action: str,
    raw_due: str,
    partnership: Partnership | None,
    partner_org: str | None = None,
    done_when: str | None = None,
    once: str | None = None,
) -> Commitment:
    """Check the owners and the date with Slack, save the commitment, confirm it in the
    channel and DM each owner. CommitmentError / DueDateError when it cannot be recorded;
    claims.Repeat when `once` was recorded already."""
    owners = check_owners(client, services, owner_ids)
    creator_tz, _ = person(client, services, user_id)
    now = services.clock()
    due = parse_due(raw_due, local_today(now, creator_tz))
    with services.sessions() as session:
        if partnership is None and channel_id:
            partnership = channel_partnership(session, team_id=team_id, channel_id=channel_id)
        commitment = record_commitment(
            session,
            team_id=team_id,
            created_by=user_id,
            creator_tz=creator_tz,
            channel_id=channel_id,
            owners=owners,
            action=action,
            due=due,
            now=now,
            partnership_id=partnership.id if partnership else None,
            partner_org=partner_org,
            done_when=done_when,
            policy=policy_for(session, team_id),
            once=once,
        )
    announce(services, client, commitment, owners, partnership, creator_tz)
    return commitment


def announce(
    services: Services,
    client: WebClient,
    commitment: Commitment,
    owners: list[Owner],
    partnership: Partnership | None,
    creator_tz: str,
) -> None:
    """The channel sees a new commitment; each owner gets a DM (or a thread mention)."""
    now = services.clock()
    owner_ids = [o.user_id for o in owners]
    text, blocks = build_confirmation(
        commitment, owner_ids, local_today(now, creator_tz), partnership
    )
    channel_id = commitment.channel_id
    action = commitment.action[:80]
    if channel_id and not channel_id.startswith("D"):
        # sent now, or (Slack rate-limiting, failing) later by the outbox, which then keeps its
        # ts as the commitment's thread
        send_owed(
            services,
            client,
            team_id=commitment.team_id,
            channel=channel_id,
            text=text,
            blocks=blocks,
            record=f"commitment:{commitment.id}",
            about=f"the announcement of “{action}”",
            author_id=commitment.created_by,
        )
    for owner in owners:
        nudge_text, nudge_blocks = build_nudge(
            commitment, owner_ids, local_today(now, owner.tz), kind="new"
        )
        told = send_owed(
            services,
            client,
            team_id=commitment.team_id,
            channel=owner.user_id,
            text=nudge_text,
            blocks=nudge_blocks,
            about=f"the DM telling <@{owner.user_id}> about “{action}”",
            author_id=commitment.created_by,
        )
        if told.error:  # Slack can't DM them (a Slack Connect partner, someone who left)
            with services.sessions() as session:
                mark_unreachable(session, commitment_id=commitment.id or 0, user_id=owner.user_id)
            tell_thread(
                client,
                commitment,
                f"<@{owner.user_id}> this one is yours: {commitment.action}. "
                "I can't DM you, so reminders will come here.",
                services,
            )
    refresh_homes(client, services, commitment.team_id, *owner_ids)


def record_form(
    services: Services,
    client: WebClient,
    view: dict[str, Any],
    form: CommitForm,
    *,
    title: str,
    team_id: str,
    user_id: str,
    channel_id: str | None,
    partnership: Partnership | None,
) -> None:
    """Record a submitted commitment form (once per view) and show the result in the same
    modal: what was recorded, that it was already, or the form again with the problem."""
    try:
        commitment = record(
            services,
            client,
            team_id=team_id,
            user_id=user_id,
            channel_id=channel_id,
            owner_ids=form.owner_ids,
            action=form.action,
            raw_due=form.raw_due,
            partnership=partnership,
            partner_org=form.partner_org,
            done_when=form.done_when,
            once=once_key(view),
        )
    except Repeat:
        result = done_view(title, "✅ This form was recorded already.")
    except (CommitmentError, DueDateError) as error:
        result = refilled(view, str(error))
    else:
        result = done_view(
            title,
            f"✅ Recorded: *{escape(commitment.action)}*, due {commitment.due_date:%a %d %b %Y}.",
            "Its owners will be reminded by DM; `/partners actions` lists yours.",
        )
    client.views_update(view_id=view["id"], view=result)


def commitment_named(services: Services, team_id: str, value: Any) -> Commitment | None:
    """The commitment a button or form names, if it is this workspace's."""
    with services.sessions() as session:
        return team_row(session, Commitment, team_id=team_id, row_id=value)


def allowed(services: Services, client: WebClient, commitment: Commitment, user_id: str) -> bool:
    """Owners, its creator, workspace admins and facilitators may change a commitment."""
    with services.sessions() as session:
        if may_change(session, commitment, user_id, manager=False):
            return True
    return is_manager(client, services, commitment.team_id, user_id)


def snooze_until(services: Services, client: WebClient, user_id: str, days: int) -> datetime:
    tz, _ = person(client, services, user_id)
    day = local_today(services.clock(), tz) + timedelta(days=days)
    return nudge_instant(next_working_day(day), tz)


def mark_done(
    services: Services, client: WebClient, commitment: Commitment, user_id: str
) -> tuple[Commitment, list[str]]:
    """Close a commitment as done (a CommitmentError if it can't be), tell its thread and the
    person who asked for it; the commitment as now stored, and its owners."""
    with services.sessions() as session:
        fresh = team_row(session, Commitment, team_id=commitment.team_id, row_id=commitment.id)
        if fresh is None:
            raise CommitmentError(GONE)
        close(session, fresh, status=DONE, actor_id=user_id, now=services.clock())
        owner_ids = [o.user_id for o in owners_of(session, commitment.id or 0)]
    tell_thread(client, fresh, f"✅ Done: {fresh.action} (marked by <@{user_id}>)", services)
    if fresh.created_by != user_id:
        dm_owed(
            services,
            client,
            team_id=fresh.team_id,
            user_id=fresh.created_by,
            text=f"✅ <@{user_id}> marked done: {fresh.action}",
            about=f"telling its creator “{fresh.action[:80]}” is done",
        )
    refresh_homes(client, services, fresh.team_id, *owner_ids)
    return fresh, owner_ids
