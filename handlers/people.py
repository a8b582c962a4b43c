"""People and channels as Slack knows them, asked when needed: a person's time zone, whether
they may manage entries, whether a channel is private. Every feature and scheduler job uses these."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.services import Services
from knowledge.directory import CHANNEL, PERSON, namer, person_name, remember
from knowledge.workspace_settings import Defaults, Rules, rules_for
from storage.scope import serving_now
from storage.teams import org_of

logger = logging.getLogger(__name__)


def person(
    client: WebClient, services: Services, user_id: str
) -> tuple[str, dict[str, Any] | None]:
    """A person's time zone, and their users.info record (None if Slack does not know them);
    asked at most once a minute per workspace and person (Services.people)."""
    key = (client.token, user_id)
    user = services.people.get(key)
    if user is None:
        try:
            user = client.users_info(user=user_id)["user"]
        except SlackApiError:
            return services.timezone, None
        services.people.put(key, user)
        learn(services, user_id, PERSON, person_name(user))
    return user.get("tz") or services.timezone, user


def learn(services: Services, slack_id: str, kind: str, name: str | None) -> None:
    """Keep the name Slack just gave for someone or a channel in the workspace being served
    (knowledge/directory.py), so documents and the command line can name them later."""
    team_id = serving_now()
    key = ("named", team_id, slack_id)
    if not team_id or not name or services.people.get(key) == name:
        return  # kept already, a moment ago: no database read on every conversations.info
    services.people.put(key, name)
    with services.sessions() as session:
        remember(
            session, team_id=team_id, slack_id=slack_id, kind=kind, name=name, now=services.clock()
        )


def channel_info(client: WebClient, services: Services | None, channel_id: str) -> dict[str, Any]:
    """conversations.info's channel (raises SlackApiError), its name kept when `services`."""
    channel: dict[str, Any] = client.conversations_info(channel=channel_id)["channel"]
    if services is not None and channel.get("name") and not channel.get("is_im"):
        learn(services, channel_id, CHANNEL, str(channel["name"]))
    return channel


MEMBER, GUEST, EXTERNAL = "member", "guest", "external"


def standing_of(
    user: dict[str, Any] | None, team_id: str, org: str | None, their_team: str | None = None
) -> tuple[str, str | None]:
    """(member | guest | external, the organisation they belong to when it is not this one).

    Another organisation's person (Slack Connect): Slack calls them a stranger, or their own
    team is not this workspace (nor, in Enterprise Grid, this workspace's org), or the payload
    said so (`their_team`). A guest: `is_restricted` or `is_ultra_restricted`. Someone Slack
    will not describe is treated as external: the safe mistake is to show too little."""
    if user is None:
        return EXTERNAL, their_team
    grid = (user.get("enterprise_user") or {}).get("enterprise_id")
    same_org = bool(org) and grid == org  # another workspace of this Enterprise Grid org
    homes = [user.get("team_id")]
    if their_team and their_team.startswith("E"):  # Slack named their Enterprise Grid org
        if org and their_team != org:
            return EXTERNAL, their_team
    elif their_team:
        homes.append(their_team)
    for home in homes:
        if home and home != team_id and not same_org:
            return EXTERNAL, str(home)
    if user.get("is_stranger"):
        return EXTERNAL, their_team or user.get("team_id")
    if user.get("is_restricted") or user.get("is_ultra_restricted"):
        return GUEST, None
    return MEMBER, None


@dataclass(frozen=True)
class Viewer:
    """Who is asking, as this workspace sees them: what they may find and what they may do."""

    user_id: str
    team_id: str
    standing: str  # member | guest | external
    org: str | None  # their own organisation, when it is another
    trusted: bool  # from an organisation the workspace trusts with what it knows
    tz: str
    manager: bool  # a member who is a workspace admin or owner, a facilitator or bot admin
    admin: bool  # a member who may change the workspace's settings

    @property
    def full(self) -> bool:
        """May find what the council knows (its members, and trusted organisations' people);
        everyone else finds only what was saved in the channel they are in."""
        return self.standing == MEMBER or self.trusted

    @property
    def member(self) -> bool:
        return self.standing == MEMBER


def rules_of(services: Services, team_id: str) -> Rules:
    """The workspace's own settings (or the defaults)."""
    with services.sessions() as session:
        return rules_for(
            session, team_id, Defaults(services.facilitators, services.questions_channel)
        )


def viewer_of(
    services: Services,
    team_id: str,
    user_id: str,
    user: dict[str, Any] | None,
    *,
    their_team: str | None = None,
) -> Viewer:
    """A Viewer from someone's users.info record (None: Slack would not say)."""
    with services.sessions() as session:
        rules = rules_for(
            session, team_id, Defaults(services.facilitators, services.questions_channel)
        )
        org = org_of(session, team_id)
    standing, theirs = standing_of(user, team_id, org, their_team)
    member = standing == MEMBER
    workspace_admin = bool(user and (user.get("is_admin") or user.get("is_owner")))
    admin = member and (workspace_admin or user_id in rules.admins)
    return Viewer(
        user_id=user_id,
        team_id=team_id,
        standing=standing,
        org=theirs,
        trusted=standing == EXTERNAL and theirs is not None and theirs in rules.trusted_orgs,
        tz=(user or {}).get("tz") or services.timezone,
        manager=admin or (member and user_id in rules.facilitators),
        admin=admin,
    )


def viewer(
    client: WebClient,
    services: Services,
    team_id: str,
    user_id: str,
    *,
    their_team: str | None = None,
) -> Viewer:
    """Who is asking (one users.info)."""
    _, user = person(client, services, user_id)
    return viewer_of(services, team_id, user_id, user, their_team=their_team)


def pressed_by(client: WebClient, services: Services, team_id: str, body: dict[str, Any]) -> Viewer:
    """Who pressed a button or sent a form: in Slack Connect the payload's `user.team_id` is
    their own organisation."""
    user = body.get("user") or {}
    return viewer(client, services, team_id, str(user.get("id")), their_team=user.get("team_id"))


def is_manager(client: WebClient, services: Services, team_id: str, user_id: str) -> bool:
    """This workspace's facilitators and bot admins, and its admins and owners, may manage any
    entry: only its own members, never a guest or another organisation's person."""
    return viewer(client, services, team_id, user_id).manager


def manages(services: Services, team_id: str, user_id: str, user: dict[str, Any] | None) -> bool:
    """is_manager() for someone whose users.info record is already at hand (from person())."""
    return viewer_of(services, team_id, user_id, user).manager


def channel_members(client: WebClient, channel_id: str) -> set[str] | None:
    """Everyone in a channel (conversations.members, every page); None when Slack won't say
    (a channel the bot has left), which callers treat as the safe mistake: nobody."""
    try:
        pages = client.conversations_members(channel=channel_id, limit=1000)
        return {member for page in pages for member in page.get("members") or []}
    except SlackApiError as error:
        logger.info("conversations.members failed", extra={"error": error.response.get("error")})
        return None


def is_shared_channel(
    client: WebClient, channel_id: str | None, services: Services | None = None
) -> bool:
    """Whether other organisations' people are in a channel (Slack Connect). When Slack won't
    say, it is treated as shared: an answer shown there then holds only the channel's own."""
    if not channel_id or channel_id.startswith("D"):
        return False
    try:
        channel = channel_info(client, services, channel_id)
    except SlackApiError:
        return True
    return bool(channel.get("is_ext_shared") or channel.get("is_pending_ext_shared"))


def is_private_channel(
    client: WebClient, channel_id: str | None, services: Services | None = None
) -> bool:
    """Whether entries saved here must stay here: DMs and private channels.

    A private channel the bot is not in answers channel_not_found; it is treated as private,
    because the safe mistake is to show an entry in too few places, never too many.
    """
    if not channel_id or channel_id.startswith(("D", "G")):
        return True
    try:
        channel = channel_info(client, services, channel_id)
    except SlackApiError:
        return True
    return bool(channel.get("is_private") or channel.get("is_im") or channel.get("is_mpim"))


def names(client: WebClient, services: Services, team_id: str) -> Callable[[str], str]:
    """People's and channels' names, for a document read outside Slack: from the workspace's
    directory, else asked of Slack once each (and kept), else the ID rather than a guess."""

    def ask(slack_id: str) -> str:
        if slack_id[:1] in ("C", "G"):
            try:
                return str(channel_info(client, services, slack_id).get("name") or slack_id)
            except SlackApiError:
                return slack_id
        _, user = person(client, services, slack_id)
        return (person_name(user) if user else None) or slack_id

    with services.sessions() as session:
        return namer(session, team_id, fallback=ask)
