"""People and channels as Slack knows them, asked when needed: a person's time zone, whether
they may manage entries, whether a channel is private. Every feature and scheduler job uses these."""

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.services import Services

logger = logging.getLogger(__name__)


def person(
    client: WebClient, services: Services, user_id: str
) -> tuple[str, dict[str, Any] | None]:
    """A person's time zone, and their users.info record (None if Slack does not know them)."""
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError:
        return services.timezone, None
    return user.get("tz") or services.timezone, user


def is_manager(client: WebClient, services: Services, user_id: str) -> bool:
    """Facilitators in settings, and workspace admins and owners, may manage any entry."""
    if user_id in services.facilitators:
        return True
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        logger.warning("users.info failed", extra={"error": error.response.get("error")})
        return False  # when in doubt, only the author
    return manages(services, user_id, user)


def manages(services: Services, user_id: str, user: dict[str, Any] | None) -> bool:
    """is_manager() for someone whose users.info record is already at hand (from person())."""
    if user_id in services.facilitators:
        return True
    return bool(user and (user.get("is_admin") or user.get("is_owner")))


def channel_members(client: WebClient, channel_id: str) -> set[str] | None:
    """Everyone in a channel (conversations.members, every page); None when Slack won't say
    (a channel the bot has left), which callers treat as the safe mistake: nobody."""
    try:
        pages = client.conversations_members(channel=channel_id, limit=1000)
        return {member for page in pages for member in page.get("members") or []}
    except SlackApiError as error:
        logger.info("conversations.members failed", extra={"error": error.response.get("error")})
        return None


def is_private_channel(client: WebClient, channel_id: str | None) -> bool:
    """Whether entries saved here must stay here: DMs and private channels.

    A private channel the bot is not in answers channel_not_found; it is treated as private,
    because the safe mistake is to show an entry in too few places, never too many.
    """
    if not channel_id or channel_id.startswith(("D", "G")):
        return True
    try:
        channel = client.conversations_info(channel=channel_id)["channel"]
    except SlackApiError:
        return True
    return bool(channel.get("is_private") or channel.get("is_im") or channel.get("is_mpim"))


def names(client: WebClient, services: Services) -> Callable[[str], str]:
    """A person's name as Slack has it (asked once each), for a document read outside Slack."""
    known: dict[str, str] = {}

    def name_of(user_id: str) -> str:
        if user_id not in known:
            _, user = person(client, services, user_id)
            profile = (user or {}).get("profile") or {}
            known[user_id] = (
                profile.get("real_name")
                or (user or {}).get("real_name")
                or (user or {}).get("name")
                or user_id  # Slack could not say: the ID, rather than a guess
            )
        return known[user_id]

    return name_of
