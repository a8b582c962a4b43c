"""Many workspaces from one deployment: Bolt's OAuth flow with slack_sdk's SQLAlchemy installation
and state stores (in the bot's own database, tables made by its migrations), each request served
with its workspace's token, the scheduler's client per workspace, and uninstalls.

With SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (and no SLACK_BOT_TOKEN),
`/slack/install` starts an install and `/slack/oauth_redirect` finishes it."""

import copy
import hashlib
import hmac
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltContext, BoltResponse
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.listener.builtins import TokenRevocationListeners
from slack_bolt.oauth.callback_options import CallbackOptions, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Table, delete, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from bot.settings import Settings
from handlers.listening import listen
from handlers.sending import QuietWebClient
from handlers.services import Services
from storage.installations import TOKEN_COLUMNS
from storage.keyring import Keyring
from storage.teams import mark_installed, mark_org_uninstalled, mark_uninstalled, org_of

logger = logging.getLogger("partnerbot.installs")
Row = TypeVar("Row", Bot, Installation)

INSTALL_PATH, REDIRECT_PATH = "/slack/install", "/slack/oauth_redirect"
NOT_INSTALLED = (
    "partnerbot isn't installed in this workspace (or was removed from it). Ask your Slack "
    "admin to add it again: nothing you type here is kept until then."
)
ROTATE_BEFORE = 120  # minutes: a rotating token is refreshed this long before it expires
STATE_LIFETIME = 600  # seconds from "Add to Slack" to coming back
# the manifest's bot scopes (tests/bot/test_manifest.py keeps the two the same)
BOT_SCOPES = (
    "app_mentions:read",
    "channels:history",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "users:read",
)


class SignedStateStore(SQLAlchemyOAuthStateStore):
    """OAuth states signed with SLACK_STATE_SECRET: a forged or altered one is refused before
    the database is asked; a real one works once, within STATE_LIFETIME. Anyone may open the
    install page, so each visit first clears the states that have expired: the table holds
    at most the last STATE_LIFETIME's."""

    def __init__(self, secret: str, engine: Engine) -> None:
        super().__init__(expiration_seconds=STATE_LIFETIME, engine=engine)
        self._key = secret.encode()

    def _mac(self, state: str) -> str:
        return hmac.new(self._key, state.encode(), hashlib.sha256).hexdigest()[:32]

    def prune(self) -> int:
        """Forget expired states; how many there were."""
        now = normalize_datetime_for_db(datetime.now(tz=UTC))
        with self.engine.begin() as connection:
            gone = connection.execute(
                self.oauth_states.delete().where(self.oauth_states.c.expire_at <= now)
            )
        return int(gone.rowcount or 0)

    def issue(self, *args: Any, **kwargs: Any) -> str:
        self.prune()
        state = super().issue(*args, **kwargs)
        return f"{state}.{self._mac(state)}"

    def consume(self, state: str) -> bool:
        raw, _, mac = state.rpartition(".")
        if not raw or not hmac.compare_digest(mac, self._mac(raw)):
            logger.info("an OAuth state that we did not sign was refused")
            return False
        return bool(super().consume(raw))


class SealedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's store, with every token encrypted at rest (storage/keyring.py: authenticated
    encryption under PARTNERBOT_SECRET_KEY) and the rows a new install or a refreshed token
    supersedes removed, so a stolen database gives away no token, old or new."""

    def __init__(self, client_id: str, engine: Engine, keyring: Keyring) -> None:
        super().__init__(client_id=client_id, engine=engine)
        self._keyring = keyring

    def _sealed(self, found: Row) -> Row:
        copied = copy.copy(found)
        for name in TOKEN_COLUMNS:
            if hasattr(copied, name):
                setattr(copied, name, self._keyring.seal(getattr(copied, name)))
        return copied

    def _unsealed(self, found: Row | None) -> Row | None:
        if found is not None:
            for name in TOKEN_COLUMNS:
                if hasattr(found, name):
                    setattr(found, name, self._keyring.unseal(getattr(found, name)))
        return found

    def save(self, installation: Installation) -> None:
        super().save(self._sealed(installation))  # its bot row goes through save_bot, below
        self._keep_newest(self.installations, installation.enterprise_id, installation.team_id)

    def save_bot(self, bot: Bot) -> None:
        super().save_bot(self._sealed(bot))  # sealing is idempotent: save() sealed it already
        self._keep_newest(self.bots, bot.enterprise_id, bot.team_id)

    def find_bot(self, **kwargs: Any) -> Bot | None:
        return self._unsealed(super().find_bot(**kwargs))

    def find_installation(self, **kwargs: Any) -> Installation | None:
        return self._unsealed(super().find_installation(**kwargs))

    def _keep_newest(self, table: Table, enterprise_id: str | None, team_id: str | None) -> None:
        """Only the newest row of a workspace (or an org-wide install) keeps existing: the
        others hold tokens Slack has replaced."""
        c = table.c
        with self.engine.begin() as connection:
            ids = connection.execute(
                select(c.id)
                .where(c.client_id == self.client_id)
                .where(c.enterprise_id == enterprise_id)
                .where(c.team_id == team_id)
                .order_by(c.installed_at.desc(), c.id.desc())
            ).scalars()
            older = list(ids)[1:]
            if older:
                connection.execute(delete(table).where(c.id.in_(older)))

    def seal_stored(self) -> int:
        """Seal (again, with the newest key) every token stored: tokens kept before encryption
        came in, or under an older key. How many rows changed."""
        changed = 0
        with self.engine.begin() as connection:
            for table in (self.bots, self.installations):
                names = [c for c in table.c if c.name in TOKEN_COLUMNS]
                for row in connection.execute(select(table.c.id, *names)).mappings():
                    values = {c.name: self._keyring.reseal(row[c.name]) for c in names}
                    if any(values[name] != row[name] for name in values):
                        connection.execute(
                            table.update().where(table.c.id == row["id"]).values(**values)
                        )
                        changed += 1
        return changed


def installation_store(settings: Settings, engine: Engine) -> SealedInstallationStore:
    """slack_sdk's store, on the bot's database (its tables come from migration 0012), with
    its tokens sealed."""
    return SealedInstallationStore(
        client_id=str(settings.slack_client_id), engine=engine, keyring=settings.keyring()
    )


def oauth_settings(settings: Settings, services: Services, engine: Engine) -> OAuthSettings:
    """Bolt's OAuth flow: bot scopes only, states signed and kept in the database, and each
    finished install recorded as a served workspace."""

    def installed(args: SuccessArgs) -> BoltResponse:
        done = args.installation
        if done.is_enterprise_install or not done.team_id:
            # org-wide: its workspaces are written down as each is first heard from
            logger.info("installed org-wide", extra={"enterprise": done.enterprise_id})
            return args.default.success(args)
        with services.sessions() as session:
            mark_installed(
                session,
                team_id=done.team_id,
                enterprise_id=done.enterprise_id,
                name=done.team_name,
                now=services.clock(),
            )
        logger.info("installed", extra={"team_id": done.team_id, "enterprise": done.enterprise_id})
        return args.default.success(args)

    store = installation_store(settings, engine)
    if sealed := store.seal_stored():  # tokens kept before they were encrypted at rest
        logger.info("stored tokens encrypted", extra={"rows": sealed})
    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        scopes=list(BOT_SCOPES),
        install_path=INSTALL_PATH,
        redirect_uri_path=REDIRECT_PATH,
        install_page_rendering_enabled=False,  # straight on to Slack's consent page
        installation_store=store,
        installation_store_bot_only=True,
        token_rotation_expiration_minutes=ROTATE_BEFORE,
        state_store=SignedStateStore(str(settings.slack_state_secret), engine),
        callback_options=CallbackOptions(
            success=installed, failure=lambda args: args.default.failure(args)
        ),
    )
    # Bolt's own authorize refreshes rotating tokens through a client of its making, which
    # would call slack.com whatever SLACK_API_URL says: give it ours
    oauth.authorize = InstallationStoreAuthorize(
        logger=logger,
        installation_store=oauth.installation_store,
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret,
        token_rotation_expiration_minutes=ROTATE_BEFORE,
        bot_only=True,
        client=web_client(settings),
    )
    return oauth


def team_clients(settings: Settings, engine: Engine) -> Callable[[str], WebClient | None]:
    """The scheduler's client for one workspace, with that workspace's bot token (refreshed
    first when the app rotates tokens and this one expires within ROTATE_BEFORE minutes); None
    for a workspace that is not (or no longer) installed."""
    store = installation_store(settings, engine)
    rotator = TokenRotator(
        client_id=str(settings.slack_client_id),
        client_secret=str(settings.slack_client_secret),
        client=WebClient(base_url=settings.slack_api_url),
    )
    made: dict[str, tuple[str, WebClient]] = {}

    def find(team_id: str) -> Bot | None:
        """The workspace's own install, or its org's org-wide one."""
        with Session(engine) as session:
            org = org_of(session, team_id)
        return store.find_bot(enterprise_id=org, team_id=team_id) or (
            store.find_bot(enterprise_id=org, team_id=None, is_enterprise_install=True)
            if org
            else None
        )

    def client_for(team_id: str) -> WebClient | None:
        bot = find(team_id)
        if bot is not None and bot.bot_refresh_token:
            try:
                refreshed = rotator.perform_bot_token_rotation(
                    bot=bot, minutes_before_expiration=ROTATE_BEFORE
                )
            except SlackApiError:  # another process refreshed it first: its token is stored
                refreshed, bot = None, find(team_id)
            if refreshed is not None:
                store.save_bot(refreshed)
                bot = refreshed
        if bot is None or not bot.bot_token:
            return None
        token = bot.bot_token
        if team_id not in made or made[team_id][0] != token:  # a new install, a rotated token
            made[team_id] = (token, _scheduler_client(settings, token))
        return made[team_id][1]

    return client_for


def _scheduler_client(settings: Settings, token: str) -> WebClient:
    from bot.scheduler import retrying_client

    return retrying_client(settings, token)


def register_uninstalls(app: App, settings: Settings, services: Services, engine: Engine) -> None:
    """`app_uninstalled` and `tokens_revoked`: the workspace's tokens go at once; its data is
    kept for PARTNERBOT_RETENTION_DAYS, then the scheduler purges it."""
    revocations = TokenRevocationListeners(installation_store(settings, engine))

    def left(context: BoltContext) -> None:
        with services.sessions() as session:
            if context.team_id:
                mark_uninstalled(session, team_id=context.team_id, now=services.clock())
            elif context.enterprise_id:  # an org-wide install: each of its workspaces
                mark_org_uninstalled(
                    session, enterprise_id=context.enterprise_id, now=services.clock()
                )
        logger.info(
            "uninstalled: its tokens are removed",
            extra={"team_id": context.team_id, "enterprise": context.enterprise_id},
        )

    @app.event("app_uninstalled")
    def uninstalled(ack: Ack, context: BoltContext) -> None:
        ack()
        revocations.handle_app_uninstalled_events(context)
        left(context)

    @app.event("tokens_revoked")
    def revoked(ack: Ack, event: dict[str, Any], context: BoltContext) -> None:
        ack()
        revocations.handle_tokens_revoked_events(event, context)
        if (event.get("tokens") or {}).get("bot"):
            left(context)


def register_single_uninstalls(app: App, services: Services) -> None:
    """`app_uninstalled` and `tokens_revoked` for a single-workspace install (its token is in
    the environment, not ours to delete): answered 200 (a 404 counts as a failure, and Slack
    can switch the app's events off), said in the log, and the workspace marked as having
    removed the bot when it is our token that went."""

    def ours(event: dict[str, Any], client: WebClient) -> bool:
        if event.get("type") == "app_uninstalled":
            return True
        revoked = set((event.get("tokens") or {}).get("bot") or [])
        if not revoked:
            return False
        try:  # Bolt does not authorize these events: ask who the bot is
            return client.auth_test()["user_id"] in revoked
        except SlackApiError:  # our token no longer works: it was ours that went
            return True

    def gone(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
        if not ours(event, client) or not context.team_id:
            logger.info("tokens revoked, not the bot's", extra={"team_id": context.team_id})
            return
        with services.sessions() as session:
            mark_uninstalled(session, team_id=context.team_id, now=services.clock())
        logger.warning(
            "the bot's token was revoked or the app uninstalled: set a new SLACK_BOT_TOKEN "
            "after reinstalling",
            extra={"team_id": context.team_id, "event": event.get("type")},
        )

    listen(app.event("app_uninstalled"), gone)  # answered at once; the work after
    listen(app.event("tokens_revoked"), gone)


def web_client(settings: Settings) -> WebClient:
    """The listeners' client in OAuth mode: no token of its own (Bolt gives each request its
    workspace's), no retry sleeps."""
    return QuietWebClient(base_url=settings.slack_api_url)
