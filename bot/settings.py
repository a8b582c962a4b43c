"""Configuration: one typed class, read from the environment or `.env`."""

from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from sqlalchemy import make_url

from storage.keyring import Keyring, SecretKeyError, parse_keys

SLACK_API_URL = "https://slack.com/api/"

# Where an admin finds each secret in https://api.slack.com/apps → your app.
WHERE_TO_FIND = {
    "SLACK_BOT_TOKEN": "OAuth & Permissions → Bot User OAuth Token (starts xoxb-)",
    "SLACK_SIGNING_SECRET": "Basic Information → App Credentials → Signing Secret",
    "SLACK_CLIENT_ID": "Basic Information → App Credentials → Client ID",
    "SLACK_CLIENT_SECRET": "Basic Information → App Credentials → Client Secret",
    "SLACK_STATE_SECRET": "not Slack's: any long random string you keep, e.g. `openssl rand -hex 32`",
    "PARTNERBOT_SECRET_KEY": "not Slack's: your own, e.g. `openssl rand -hex 32`; keep it safe",
    "SLACK_APP_TOKEN": (
        "Basic Information → App-Level Tokens → Generate, with the connections:write scope "
        "(starts xapp-)"
    ),
}


class ConfigError(RuntimeError):
    """Settings that cannot run the requested mode; the message says what to set."""


class Settings(BaseSettings):
    """Every setting in DESIGN.md, under exactly those names."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=False)

    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_team_id: str | None = None
    slack_state_secret: str | None = None  # signs OAuth states (distributed installs)
    slack_api_url: str = SLACK_API_URL
    database_url: str = "sqlite:///partnerbot.db"
    port: int = Field(default=3000, ge=1, le=65535)
    partnerbot_timezone: str = "Europe/London"
    partnerbot_facilitators: Annotated[frozenset[str], NoDecode] = frozenset()
    # added to the contract: where questions nobody could answer go (a channel ID); without
    # it, each facilitator gets them by DM
    partnerbot_questions_channel: str | None = None
    # added to the contract: "off" keeps `serve` from running the scheduler in-process
    partnerbot_scheduler: str = "on"
    # days an uninstalled workspace's data is kept before the scheduler purges it
    partnerbot_retention_days: int = Field(default=30, ge=0, le=3650)
    # the deployment's own secret (comma-separated, newest first, to rotate): keys anonymous
    # answers' hashes, signs search snapshots, encrypts tokens (storage/keyring.py)
    partnerbot_secret_key: str | None = Field(default=None, repr=False)
    # the ceiling on search indexes one process holds; past it, the least recently searched
    # workspace's index is let go and loaded from its snapshot when next asked
    partnerbot_index_memory_mb: int = Field(default=256, ge=1, le=65536)

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        # slack_sdk joins base_url + method name, so the slash matters.
        return value if value.endswith("/") else value + "/"

    @field_validator("partnerbot_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(
                f"unknown time zone {value!r}; use an IANA name like Europe/London"
            ) from error
        return value

    @field_validator("partnerbot_facilitators", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(
                part.strip() for part in value.replace(" ", ",").split(",") if part.strip()
            )
        return value

    def keyring(self) -> Keyring:
        """The deployment's keys; ConfigError (one line: what to do) when missing or short."""
        try:
            return Keyring(parse_keys(self.partnerbot_secret_key))
        except SecretKeyError as error:
            raise ConfigError(str(error)) from None

    @property
    def secrets(self) -> list[str]:
        """Every secret in these settings, for the log redaction."""
        found = [
            self.slack_bot_token,
            self.slack_signing_secret,
            self.slack_app_token,
            self.slack_client_secret,
            self.slack_state_secret,
            *parse_keys(self.partnerbot_secret_key),
        ]
        url = make_url(self.database_url) if "://" in self.database_url else None
        if url is not None and url.password:
            found.append(str(url.password))
        return [secret for secret in found if secret]

    @property
    def scheduler_enabled(self) -> bool:
        return self.partnerbot_scheduler.strip().lower() not in {"off", "0", "false", "no"}

    @property
    def oauth_enabled(self) -> bool:
        """Distributed installs: the app's credentials and no single workspace's token."""
        return bool(self.slack_client_id and not self.slack_bot_token)

    @property
    def has_slack_tokens(self) -> bool:
        return bool(self.slack_bot_token and self.slack_signing_secret)

    def require(self, *names: str) -> None:
        """Raise ConfigError naming each missing variable and where Slack shows it."""
        missing = [name for name in names if not getattr(self, name.lower())]
        if missing:
            lines = [
                f"  {name}: Slack app settings → {WHERE_TO_FIND.get(name, '')}" for name in missing
            ]
            raise ConfigError(
                "Missing settings: " + ", ".join(missing) + ".\n"
                "Set them in the environment or in a .env file beside where you run partnerbot:\n"
                + "\n".join(lines)
                + "\nNo Slack app yet? `partnerbot shell` runs everything locally."
            )
