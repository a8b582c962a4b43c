"""`/partners commit`, `/partners actions`, `/partners away`, and the buttons on every
commitment (Done, Snooze, Update progress, Can't do this)."""

import logging
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.access import is_manager
from handlers.commitment_blocks import (
    COMMIT_VIEW,
    build_confirmation,
    build_form,
    build_list,
    build_nudge,
)
from handlers.services import Services
from knowledge.audit import record_change
from knowledge.commitments import (
    EXAMPLE,
    CommitmentError,
    Owner,
    find_commitment,
    mark_unreachable,
    may_change,
    open_commitments,
    owners_of,
    parse_commit,
    record_commitment,
    split_partnership,
)
from knowledge.dates import DueDateError, parse_due
from knowledge.nudges import policy_for, set_away
from knowledge.partnerships import channel_partnership, list_partnerships
from knowledge.workdays import local_today, next_working_day, nudge_instant
from storage.models import Commitment, Partnership

if TYPE_CHECKING:
    from handlers.commands import Invocation

logger = logging.getLogger(__name__)
GONE = "That commitment isn't here any more (or belongs to another workspace)."
NOT_YOURS = (
    "Only its owners, whoever recorded it, a workspace admin or a facilitator can change it."
)


def person(
    client: WebClient, services: Services, user_id: str
) -> tuple[str, dict[str, Any] | None]:
    """A person's time zone, and their users.info record (None if Slack does not know them)."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError:
        return services.timezone, None
    return user.get("tz") or services.timezone, user


def check_owners(client: WebClient, services: Services, owner_ids: list[str]) -> list[Owner]:
    owners = []
    for user_id in owner_ids:
        tz, user = person(client, services, user_id)
        if user is None or user.get("deleted"):
            raise CommitmentError(f"I can't find <@{user_id}> in this workspace.", "owners")
        if user.get("is_bot"):
            raise CommitmentError(f"<@{user_id}> is a bot; commitments belong to people.", "owners")
        owners.append(Owner(user_id, tz))
    return owners


def tell_thread(client: WebClient, commitment: Commitment, text: str) -> None:
    """Say something in the commitment's origin thread, where the partnership can see it."""
    if commitment.channel_id and commitment.thread_ts:
        try:
            client.chat_postMessage(
                channel=commitment.channel_id, thread_ts=commitment.thread_ts, text=text
            )
        except SlackApiError as error:
            logger.warning(
                "could not post to the origin thread",
                extra={"commitment": commitment.id, "error": error.response.get("error")},
            )


def dm(
    client: WebClient, user_id: str, text: str, blocks: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A direct message from the bot (posting to a user ID opens the DM)."""
    return client.chat_postMessage(channel=user_id, text=text, blocks=blocks).data  # type: ignore[return-value]


def record(
    services: Services,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    channel_id: str | None,
    owner_ids: list[str],
    action: str,
    due: date,
    partnership: Partnership | None,
    partner_org: str | None = None,
    done_when: str | None = None,
) -> Commitment:
    """Save a commitment, confirm it in the channel, and DM each owner."""
    owners = check_owners(client, services, owner_ids)
    creator_tz, _ = person(client, services, user_id)
    now = services.clock()
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
        )
    today = local_today(now, creator_tz)
    text, blocks = build_confirmation(commitment, owner_ids, today, partnership)
    if channel_id and not channel_id.startswith("D"):
        try:
            posted = client.chat_postMessage(channel=channel_id, text=text, blocks=blocks)
            with services.sessions() as session:
                commitment.thread_ts = posted["ts"]
                session.add(commitment)
                session.commit()
        except SlackApiError as error:
            logger.warning(
                "could not confirm in the channel",
                extra={"commitment": commitment.id, "error": error.response.get("error")},
            )
    for owner in owners:
        nudge_text, nudge_blocks = build_nudge(
            commitment, owner_ids, local_today(now, owner.tz), kind="new"
        )
        try:
            dm(client, owner.user_id, f"New commitment for you: {nudge_text}", nudge_blocks)
        except SlackApiError:
            with services.sessions() as session:
                mark_unreachable(session, commitment_id=commitment.id or 0, user_id=owner.user_id)
            tell_thread(
                client,
                commitment,
                f"<@{owner.user_id}> this one is yours: "
                f"{commitment.action}. I can't DM you, so reminders "
                "will come here.",
            )
    return commitment


def run_commit(call: "Invocation") -> None:
    """`/partners commit @USER… ACTION by DATE [in PARTNERSHIP]`, or the form."""
    services, client = call.services, call.client
    if not call.args.strip():
        with services.sessions() as session:
            partnerships = list_partnerships(session, team_id=call.team_id)
            default = channel_partnership(session, team_id=call.team_id, channel_id=call.channel_id)
        client.views_open(
            trigger_id=call.trigger_id,
            view=build_form(partnerships, default.id if default else None, call.channel_id),
        )
        return
    try:
        request = parse_commit(call.args)
        with services.sessions() as session:
            when, partnership = split_partnership(session, team_id=call.team_id, when=request.when)
        tz, _ = person(client, services, call.user_id)
        due = parse_due(when, local_today(services.clock(), tz))
        record(
            services,
            client,
            team_id=call.team_id,
            user_id=call.user_id,
            channel_id=call.channel_id,
            owner_ids=list(request.owners),
            action=request.action,
            due=due,
            partnership=partnership,
        )
    except (CommitmentError, DueDateError) as error:
        example = "" if EXAMPLE in str(error) else f" For example: {EXAMPLE}"
        call.reply(f"{error}{example}")
        return
    call.reply("Recorded. Its owners will be reminded by DM; `/partners actions` lists yours.")


def run_actions(call: "Invocation") -> None:
    """`/partners actions` (mine) or `/partners actions all` (this channel's partnership's)."""
    services = call.services
    tz, _ = person(call.client, services, call.user_id)
    today = local_today(services.clock(), tz)
    with services.sessions() as session:
        if call.args.strip().casefold() == "all":
            partnership = channel_partnership(
                session, team_id=call.team_id, channel_id=call.channel_id
            )
            found = open_commitments(
                session,
                team_id=call.team_id,
                partnership_id=partnership.id if partnership else None,
                channel_id=call.channel_id,
            )
            title = (
                f"Open commitments of {partnership.name}"
                if partnership
                else "Open commitments in this channel"
            )
        else:
            found = open_commitments(session, team_id=call.team_id, owner_id=call.user_id)
            title = "Your open commitments"
        items = [(c, [o.user_id for o in owners_of(session, c.id or 0)]) for c in found]
    text, blocks = build_list(title, items, today)
    call.reply(text, blocks)


def run_away(call: "Invocation") -> None:
    """`/partners away until DATE` or `/partners away off`."""
    words = call.args.strip()
    services = call.services
    if words.casefold() in {"off", "back", "end"}:
        with services.sessions() as session:
            set_away(session, team_id=call.team_id, user_id=call.user_id, until=None)
        call.reply("Welcome back: your reminders are on again.")
        return
    tz, _ = person(call.client, services, call.user_id)
    text = words[len("until") :].strip() if words.casefold().startswith("until") else words
    try:
        until = parse_due(text, local_today(services.clock(), tz))
    except DueDateError as error:
        call.reply(f"{error} For example: `/partners away until 2 Jan`, or `/partners away off`.")
        return
    with services.sessions() as session:
        set_away(session, team_id=call.team_id, user_id=call.user_id, until=until)
        record_change(
            session,
            team_id=call.team_id,
            actor_id=call.user_id,
            action="edit",
            entity="away",
            entity_id=call.user_id,
            at=services.clock(),
            detail={"until": until.isoformat()},
        )
        session.commit()
    back = next_working_day(until + timedelta(days=1))
    call.reply(
        f"Away until {until:%a %d %b %Y}: your reminders pause and resume on "
        f"{back:%a %d %b}. Whoever recorded your commitments still hears if one is overdue."
    )


def register(app: App, services: Services) -> None:
    @app.view(COMMIT_VIEW)
    def form_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        values = view["state"]["values"]
        team_id, user_id = body["team"]["id"], body["user"]["id"]
        owner_ids = values["owners"]["owners"].get("selected_users") or []
        raw_due = values["due"]["due"].get("selected_date")
        chosen = (
            (values.get("partnership", {}).get("partnership", {}) or {}).get("selected_option")
            or {}
        ).get("value")
        try:
            tz, _ = person(client, services, user_id)
            due = parse_due(raw_due or "", local_today(services.clock(), tz))
        except DueDateError as error:
            ack(response_action="errors", errors={"due": str(error)})
            return
        with services.sessions() as session:
            partnership = (
                session.get(Partnership, int(chosen)) if chosen and chosen.isdigit() else None
            )
        if partnership is not None and partnership.team_id != team_id:
            partnership = None
        try:
            if not owner_ids:
                raise CommitmentError("Choose who will do it.", "owners")
            record(
                services,
                client,
                team_id=team_id,
                user_id=user_id,
                channel_id=view.get("private_metadata") or None,
                owner_ids=owner_ids,
                action=values["action"]["action"].get("value") or "",
                due=due,
                partnership=partnership,
                partner_org=values.get("partner_org", {}).get("partner_org", {}).get("value"),
                done_when=values.get("done_when", {}).get("done_when", {}).get("value"),
            )
        except CommitmentError as error:
            field = error.field if error.field in values else "action"
            ack(response_action="errors", errors={field: str(error)})
            return
        ack()


def commitment_named(services: Services, body: dict[str, Any], value: str) -> Commitment | None:
    """The commitment a button or form names, if it is this workspace's."""
    try:
        commitment_id = int(value)
    except (TypeError, ValueError):
        return None
    with services.sessions() as session:
        return find_commitment(session, team_id=body["team"]["id"], commitment_id=commitment_id)


def allowed(services: Services, client: WebClient, commitment: Commitment, user_id: str) -> bool:
    with services.sessions() as session:
        if may_change(session, commitment, user_id, manager=False):
            return True
    return is_manager(client, services, user_id)


def snooze_until(services: Services, client: WebClient, user_id: str, days: int) -> datetime:
    tz, _ = person(client, services, user_id)
    day = local_today(services.clock(), tz) + timedelta(days=days)
    return nudge_instant(next_working_day(day), tz)
