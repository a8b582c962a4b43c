"""What starting and closing a health pulse needs on the Slack side, shared by `/partners pulse`
and the scheduler's monthly job: who a partnership's members are, and posting a closed pulse's
result and trend picture where the partnership talks."""

import logging
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.people import channel_members, person, rules_of
from handlers.pulse_blocks import build_result
from handlers.services import Services
from knowledge.charts import trend_alt_text, trend_png
from knowledge.pulses import (
    DIMENSIONS,
    Health,
    Result,
    close_pulse,
    health,
    set_chart,
    start_pulse,
    trend_points,
)
from storage.models import Partnership, Pulse

logger = logging.getLogger(__name__)


def members_of(client: WebClient, services: Services, partnership: Partnership) -> list[str]:
    """The people a pulse asks: its channel's members (every page) and its lead; never a bot,
    Slackbot or someone deactivated."""
    found = {partnership.lead_id} if partnership.lead_id else set()
    if partnership.channel_id:  # a channel the bot has left: its lead alone
        found |= channel_members(client, partnership.channel_id) or set()
    people = []
    for user_id in sorted(found):
        _, user = person(client, services, user_id)
        if user and not user.get("is_bot") and not user.get("deleted") and user_id != "USLACKBOT":
            people.append(user_id)
    return people


def open_pulse(
    client: WebClient,
    services: Services,
    partnership: Partnership,
    *,
    opened_by: str | None,
    period: str | None = None,
    now: datetime | None = None,
) -> Pulse | None:
    """Start a pulse for the partnership's members now (their DMs go out with the reminders);
    raises PulseError with a message for the person when it can't."""
    members = members_of(client, services, partnership)
    minimum = rules_of(services, partnership.team_id).pulse_minimum
    with services.sessions() as session:
        fresh = session.get(Partnership, partnership.id)
        assert fresh is not None
        return start_pulse(
            session,
            fresh,
            members=members,
            opened_by=opened_by,
            now=now or services.clock(),
            period=period,
            minimum=minimum,
        )


def trend_words(partnership: Partnership, found: Health) -> str:
    """The trend picture's alt text."""
    title = f"Health of {partnership.name}"
    return trend_alt_text(trend_points(found), names=DIMENSIONS, title=title)


def close_and_tell(
    client: WebClient,
    services: Services,
    pulse: Pulse,
    *,
    by: str | None,
    now: datetime | None = None,
) -> Result | None:
    """Close a pulse and post what it may show where the partnership talks (its channel, else a
    DM to its lead), with the trend picture once there is one to draw."""
    with services.sessions() as session:
        fresh = session.get(Pulse, pulse.id)
        partnership = session.get(Partnership, pulse.partnership_id)
        assert fresh is not None and partnership is not None
        found = close_pulse(session, fresh, now=now or services.clock(), by=by)
        trend = health(session, partnership)
    where = partnership.channel_id or partnership.lead_id
    if found is None or where is None:  # closed by another process, which tells them
        return found
    text, blocks = build_result(partnership, found)
    try:
        client.chat_postMessage(channel=where, text=text, blocks=blocks)
        if found.shown:
            _upload_trend(client, services, partnership, trend, where, found.pulse)
    except SlackApiError as error:
        logger.warning(
            "could not post a pulse's result",
            extra={"pulse": pulse.id, "error": error.response.get("error")},
        )
    return found


def _upload_trend(
    client: WebClient,
    services: Services,
    partnership: Partnership,
    trend: Health,
    where: str,
    pulse: Pulse,
) -> None:
    png = trend_png(trend_points(trend), names=DIMENSIONS, title=f"Health of {partnership.name}")
    if png is None:
        return
    uploaded: Any = client.files_upload_v2(
        channel=where,
        content=png,
        filename="partnership-health.png",
        title=f"Health of {partnership.name}",
        alt_txt=trend_words(partnership, trend)[:1000],
    )
    file_id = (uploaded.get("file") or {}).get("id")
    if file_id:
        with services.sessions() as session:
            set_chart(session, pulse.id or 0, file_id)
