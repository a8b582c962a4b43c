"""The emulated workspaces: their users, channels, messages and views."""

import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any


@dataclass
class User:
    id: str
    name: str
    real_name: str
    tz: str = "Europe/London"
    is_admin: bool = False
    is_bot: bool = False
    # a Slack Connect partner from another organisation: the bot cannot open a DM with them
    is_external: bool = False
    deleted: bool = False  # left the workspace
    team_id: str | None = None  # their own organisation, if not the workspace's (Slack Connect)
    is_restricted: bool = False  # a multi-channel guest
    is_ultra_restricted: bool = False  # a single-channel guest
    is_owner: bool = False

    def described(self, workspace: str) -> dict[str, Any]:
        """The user as users.info describes them to the app in `workspace`."""
        return {
            "id": self.id,
            "team_id": self.team_id or workspace,
            "name": self.name,
            "real_name": self.real_name,
            "tz": self.tz,
            "is_admin": self.is_admin,
            "is_owner": self.is_owner,
            "is_bot": self.is_bot,
            "is_restricted": self.is_restricted,
            "is_ultra_restricted": self.is_ultra_restricted,
            "is_stranger": self.is_external,
            "deleted": self.deleted,
            "profile": {"real_name": self.real_name, "display_name": self.name},
        }


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    user: str | None = None  # the other party of a DM
    members: list[str] | None = None  # None: everyone in the workspace (a public channel)
    is_ext_shared: bool = False  # shared with another organisation (Slack Connect)


@dataclass
class Workspace:
    """One Slack workspace: its token, people, channels and everything the bot posted in it."""

    team_id: str
    name: str
    domain: str
    bot_token: str = field(default_factory=lambda: "xoxb-emulator-" + secrets.token_hex(8))
    bot_user_id: str = "U0PARTNERBOT"
    enterprise_id: str | None = None  # its Enterprise Grid org, if it is in one
    bot_id: str = "B0PARTNERBOT"
    users: dict[str, User] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    messages: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    home: dict[str, dict[str, Any]] = field(default_factory=dict)
    reactions: set[tuple[str, str, str, str]] = field(default_factory=set)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    scheduled: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add_user(self, user: User) -> User:
        self.users[user.id] = user
        return user

    def add_channel(self, channel: Channel) -> Channel:
        self.channels[channel.id] = channel
        return channel

    def user_named(self, name: str) -> User | None:
        name = name.lstrip("@").casefold()
        return next((u for u in self.users.values() if u.name.casefold() == name), None)

    def channel_named(self, name: str) -> Channel | None:
        name = name.lstrip("#").casefold()
        return next((c for c in self.channels.values() if c.name.casefold() == name), None)

    def post_as(self, user_id: str, channel_id: str, text: str, ts: str) -> dict[str, Any]:
        """A message a person wrote (the bot never posted it), for shortcuts and mentions."""
        message = {
            "type": "message",
            "ts": ts,
            "channel": channel_id,
            "user": user_id,
            "text": text,
        }
        self.messages[(channel_id, ts)] = message
        return message

    def dm_with(self, user_id: str) -> Channel:
        """The bot's DM channel with a user, opened on first use as conversations.open does."""
        for channel in self.channels.values():
            if channel.is_im and channel.user == user_id:
                return channel
        return self.add_channel(
            Channel(id="D" + user_id[1:], name=user_id, is_im=True, user=user_id)
        )


@dataclass(frozen=True)
class Call:
    """One Web API call (or response_url post) as the emulator received and answered it."""

    seq: int
    method: str
    team_id: str | None
    args: dict[str, Any]
    ok: bool
    error: str | None = None
    result: dict[str, Any] = field(default_factory=dict)
    at: float = field(default_factory=time.time)  # when it was answered


_timestamps = itertools.count(1)


def next_ts(now: float) -> str:
    """A message timestamp, unique and increasing like Slack's."""
    return f"{int(now)}.{next(_timestamps):06d}"


def demo_workspace(team_id: str = "T0SHELL", name: str = "Shell Borough Council") -> Workspace:
    """A workspace with a few officers and channels, for the shell and the tests."""
    workspace = Workspace(team_id=team_id, name=name, domain=name.lower().split()[0] + "-council")
    suffix = team_id[1:].upper()  # T0SHELL → U0SHELLALEX, C0SHELLGENERAL
    for handle, real, tz, admin in [
        ("alex", "Alex Morgan", "Europe/London", True),
        ("sam", "Sam Okafor", "Europe/London", False),
        ("priya", "Priya Shah", "Europe/London", False),
        ("jo", "Jo Lindqvist", "America/New_York", False),
    ]:
        workspace.add_user(
            User(
                id=f"U{suffix}{handle.upper()}", name=handle, real_name=real, tz=tz, is_admin=admin
            )
        )
    workspace.add_user(
        User(
            id=f"U{suffix}PARTNER",
            name="kim",
            real_name="Kim (Housing Assoc.)",
            is_external=True,
            team_id="T0HOUSINGASSOC",  # the housing association's own Slack
        )
    )
    workspace.add_user(
        User(id=workspace.bot_user_id, name="partnerbot", real_name="partnerbot", is_bot=True)
    )
    workspace.add_channel(Channel(id=f"C{suffix}GENERAL", name="general"))
    workspace.add_channel(Channel(id=f"C{suffix}RETROFIT", name="retrofit-partnership"))
    workspace.add_channel(
        Channel(
            id=f"C{suffix}LSPBOARD",
            name="lsp-board",
            is_private=True,
            members=[f"U{suffix}ALEX", f"U{suffix}PRIYA", workspace.bot_user_id],
        )
    )
    return workspace
