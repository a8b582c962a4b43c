"""Monday's digests: each channel's commitments due this week, overdue and done, and the
reviews due; and each programme network's, of what other councils shared that week, in the
channel each member council chose. Posted once per workspace, channel and week (claimed, so two
processes post once)."""

import logging
from datetime import date, datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.commitment_blocks import build_digest
from handlers.network_blocks import network_digest
from handlers.sending import Clients, for_team
from handlers.services import Services
from knowledge.commitments import owners_of
from knowledge.digest import Digest, claim_digest, digests, monday_of
from knowledge.network_digest import network_digests
from knowledge.workdays import local_today

logger = logging.getLogger("partnerbot.nudges")


def post_digests(services: Services, clients: WebClient | Clients, now: datetime) -> list[str]:
    """Post this week's digest in every channel with open commitments or reviews due (once per
    workspace, channel and week). A Slack Connect channel has a digest from each council that
    recorded commitments in it; one that cannot be built or posted is logged and the others
    go on."""
    posted = []
    today = local_today(now, services.timezone)
    with services.sessions() as session:
        found = digests(session, today=today, tz=services.timezone)
        owners = {
            (d.team_id, d.channel_id): {
                c.id: [o.user_id for o in owners_of(session, c.id or 0)]
                for c in d.due_this_week + d.overdue + d.done_last_week
            }
            for d in found
        }
    for digest in found:
        try:
            line = _post_digest(services, clients, digest, owners, today, now)
        except Exception:
            logger.exception(
                "could not post a digest",
                extra={"team_id": digest.team_id, "channel": digest.channel_id},
            )
            continue
        if line:
            posted.append(line)
    return posted


def _post_digest(
    services: Services,
    clients: WebClient | Clients,
    digest: Digest,
    owners: dict[tuple[str, str], dict[int | None, list[str]]],
    today: date,
    now: datetime,
) -> str | None:
    client = for_team(clients, digest.team_id)
    if client is None:
        return None
    # built before it is claimed: a digest that cannot be built is not marked as sent
    text, blocks = build_digest(digest, owners[(digest.team_id, digest.channel_id)], today)
    with services.sessions() as session:
        if not claim_digest(session, digest, now=now):
            return None
    try:
        client.chat_postMessage(channel=digest.channel_id, text=text, blocks=blocks)
    except SlackApiError as error:
        logger.warning(
            "could not post a digest",
            extra={"channel": digest.channel_id, "error": error.response.get("error")},
        )
        return None
    return (
        f"digest → {digest.channel_id}: {len(digest.due_this_week)} due, "
        f"{len(digest.overdue)} overdue, {len(digest.done_last_week)} done, "
        f"{len(digest.reviews)} reviews"
    )


def post_network_digests(
    services: Services, clients: WebClient | Clients, now: datetime
) -> list[str]:
    """Each member council's weekly digest of what other councils shared with a network, in
    the channel it chose (once per workspace, channel, network and week)."""
    posted = []
    today = local_today(now, services.timezone)
    week = monday_of(today)
    with services.sessions() as session:
        found = network_digests(session, now=now)
    for digest in found:
        client = for_team(clients, digest.team_id)
        if client is None:
            continue
        text, blocks = network_digest(
            digest.network, digest.new, digest.helpful, f"week of {week:%d %b}"
        )
        # a claim of its own beside the channel's commitments digest: the network's id in it
        marker = Digest(
            team_id=digest.team_id,
            channel_id=f"N{digest.network.id}:{digest.channel_id}"[:32],
            week=week,
        )
        with services.sessions() as session:
            if not claim_digest(session, marker, now=now):
                continue
        try:
            client.chat_postMessage(channel=digest.channel_id, text=text, blocks=blocks)
        except SlackApiError as error:
            logger.warning(
                "could not post a network digest",
                extra={"channel": digest.channel_id, "error": error.response.get("error")},
            )
            continue
        posted.append(
            f"network digest → {digest.channel_id}: {len(digest.new)} shared, "
            f"{len(digest.helpful)} most helpful"
        )
    return posted
