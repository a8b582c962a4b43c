"""Where each installed workspace's tokens live (slack_sdk's SQLAlchemy installation and OAuth
state stores read and write these tables; their columns are slack_sdk's own, sealed at rest,
and a test checks they still match its builders), each workspace's standing: installed, or
uninstalled and kept until its retention runs out, and each workspace's own settings."""

from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, Index, Integer, String, Table, false, func
from sqlmodel import Field, SQLModel

from storage.types import SLACK_ID, UTCDateTime

INSTALLATIONS, BOTS, STATES = "slack_installations", "slack_bots", "slack_oauth_states"
# slack_sdk makes these String(200); ours are wider, for a token sealed at rest (storage/keyring)
TOKEN_COLUMNS = frozenset({"bot_token", "bot_refresh_token", "user_token", "user_refresh_token"})
SEALED_TOKEN = 1000


def _installed_at() -> Column[datetime]:
    return Column("installed_at", DateTime, nullable=False, default=func.now())


installations = Table(
    INSTALLATIONS,
    SQLModel.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("enterprise_url", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(SEALED_TOKEN)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(SEALED_TOKEN)),
    Column("bot_token_expires_at", DateTime),
    Column("user_id", String(32), nullable=False),
    Column("user_token", String(SEALED_TOKEN)),
    Column("user_scopes", String(1000)),
    Column("user_refresh_token", String(SEALED_TOKEN)),
    Column("user_token_expires_at", DateTime),
    Column("incoming_webhook_url", String(200)),
    Column("incoming_webhook_channel", String(200)),
    Column("incoming_webhook_channel_id", String(200)),
    Column("incoming_webhook_configuration_url", String(200)),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    Column("token_type", String(32)),
    _installed_at(),
    Index(
        f"{INSTALLATIONS}_idx", "client_id", "enterprise_id", "team_id", "user_id", "installed_at"
    ),
)

bots = Table(
    BOTS,
    SQLModel.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("client_id", String(32), nullable=False),
    Column("app_id", String(32), nullable=False),
    Column("enterprise_id", String(32)),
    Column("enterprise_name", String(200)),
    Column("team_id", String(32)),
    Column("team_name", String(200)),
    Column("bot_token", String(SEALED_TOKEN)),
    Column("bot_id", String(32)),
    Column("bot_user_id", String(32)),
    Column("bot_scopes", String(1000)),
    Column("bot_refresh_token", String(SEALED_TOKEN)),
    Column("bot_token_expires_at", DateTime),
    Column("is_enterprise_install", Boolean, default=False, nullable=False),
    _installed_at(),
    Index(f"{BOTS}_idx", "client_id", "enterprise_id", "team_id", "installed_at"),
)

oauth_states = Table(
    STATES,
    SQLModel.metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("state", String(200), nullable=False),
    Column("expire_at", DateTime, nullable=False),
)


class Workspace(SQLModel, table=True):
    """A workspace the bot serves through an OAuth install: when it was installed, and when it
    left (its tokens go at once; its data is kept for PARTNERBOT_RETENTION_DAYS, then purged)."""

    team_id: str = Field(primary_key=True, max_length=SLACK_ID)
    enterprise_id: str | None = Field(default=None, max_length=SLACK_ID)
    name: str | None = Field(default=None, max_length=200)
    installed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    uninstalled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


ANONYMOUS_FLOOR = 3  # no workspace may show anything anonymous from fewer people than this
IDS_MAX = 2000  # space-separated Slack IDs: about a hundred people or organisations


class WorkspaceSettings(SQLModel, table=True):
    """A workspace's own settings, edited by its admins with `/partners settings` (audited).
    With no row, a single-workspace install uses the environment's defaults; an OAuth install
    uses the built-in ones."""

    __tablename__ = "workspace_settings"

    team_id: str = Field(primary_key=True, max_length=SLACK_ID)
    enterprise_id: str | None = Field(default=None, max_length=SLACK_ID)
    # people (space-separated user IDs) who may manage any entry and answer questions
    facilitators: str = Field(default="", max_length=IDS_MAX)
    # people who may change these settings, besides the workspace's admins and owners
    admins: str = Field(default="", max_length=IDS_MAX)
    questions_channel: str | None = Field(default=None, max_length=SLACK_ID)
    # the fewest people before anything anonymous is shown (never below ANONYMOUS_FLOOR)
    pulse_minimum: int = 5
    breakout_minimum: int = ANONYMOUS_FLOOR
    # other organisations (their Slack team IDs) whose people may find what members find
    trusted_orgs: str = Field(default="", max_length=IDS_MAX)
    # an admin approves each entry before it is shared with a programme network
    network_approval: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    updated_by: str | None = Field(default=None, max_length=SLACK_ID)
    updated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
