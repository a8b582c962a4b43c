"""Production runners: gunicorn for HTTP, Socket Mode, and the scheduler worker."""

import logging
import os
from typing import Any

from gunicorn.app.base import BaseApplication

from bot.factory import Partnerbot, create_app, warm_search
from bot.local import LocalServer
from bot.logs import configure_logging
from bot.scheduler import build_scheduler, scheduler_clients
from bot.services import open_services
from bot.settings import ConfigError, Settings
from bot.slack_reach import watch
from bot.web import build_wsgi
from storage.db import make_engine, upgrade
from storage.version import release

logger = logging.getLogger("partnerbot.serve")


def gunicorn_logging(secrets: list[str]) -> dict[str, Any]:
    """gunicorn's own lines (boot, worker restarts, errors) as JSON too, like ours, through the
    same redaction (a worker's traceback can quote a token or a URL with a password)."""
    return {
        **GUNICORN_LOGGING,
        "filters": {"redact": {"()": "bot.logs.RedactSecrets", "secrets": secrets}},
        "handlers": {"stderr": {**GUNICORN_LOGGING["handlers"]["stderr"], "filters": ["redact"]}},
    }


GUNICORN_LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "{asctime}{levelname}{name}{message}",
            "style": "{",
            "rename_fields": {"levelname": "level", "asctime": "time"},
        }
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"handlers": ["stderr"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
}


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn with threads, building the app inside each worker (after the fork)."""

    def __init__(self, settings: Settings, port: int) -> None:
        self.settings = settings
        self.port = port
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", f"0.0.0.0:{self.port}")
        self.cfg.set("workers", web_processes(self.settings))
        self.cfg.set("worker_class", "gthread")
        self.cfg.set("threads", int(os.environ.get("PARTNERBOT_THREADS", "8")))
        self.cfg.set("timeout", 30)
        self.cfg.set("graceful_timeout", 20)
        self.cfg.set("accesslog", None)  # our own request log line carries team and request ids
        self.cfg.set("control_socket_disable", True)  # nothing uses it; two servers would share it
        self.cfg.set("logconfig_dict", gunicorn_logging(self.settings.secrets))

    def load(self) -> Any:
        configure_logging(secrets=self.settings.secrets)
        bot = create_app(self.settings, migrate=False)  # serve() migrated before the fork
        warm_search(bot.services)
        if self.settings.scheduler_enabled:
            build_scheduler(
                bot.services,
                client=scheduler_clients(self.settings, bot.engine),
                retention_days=_retention(self.settings),
            ).start()
            logger.info("scheduler running in the web process")
        return build_wsgi(
            bot, reach=watch(bot.app.client, token_known=not self.settings.oauth_enabled)
        )


def web_processes(settings: Settings) -> int:
    """How many web processes: WEB_CONCURRENCY, but one on SQLite, whose single writer makes
    several processes queue for it past Slack's 3 seconds (several need PostgreSQL)."""
    wanted = max(1, int(os.environ.get("WEB_CONCURRENCY", "1") or 1))
    if wanted > 1 and settings.database_url.startswith("sqlite"):
        logger.warning(
            "WEB_CONCURRENCY asks for %d web processes, but SQLite takes one writer at a time: "
            "running one (with its threads); use PostgreSQL for more",
            wanted,
        )
        return 1
    return wanted


def serve(settings: Settings, port: int | None = None) -> None:
    """`partnerbot serve`: Bolt on gunicorn at POST /slack/events, GET /healthz."""
    if not settings.oauth_enabled:
        settings.require("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET")
    settings.keyring()  # checked here, not in each worker after the fork
    refuse_throwaway_sqlite(settings)
    configure_logging(secrets=settings.secrets)
    logger.info("partnerbot starting", extra={"version": release(), "command": "serve"})
    # Migrate once, here, before gunicorn forks its workers (under the migration lock, so a
    # `partnerbot worker` starting at the same moment waits rather than racing).
    migrate(settings)
    _Gunicorn(settings, port or settings.port).run()


# hosts whose disk is thrown away at every deploy and restart (Heroku's dynos set DYNO)
THROWAWAY_DISK = ("DYNO",)


def refuse_throwaway_sqlite(settings: Settings) -> None:
    """On a host whose disk does not last, an SQLite file would lose everything at the next
    deploy: refuse to start, saying why, rather than find out then."""
    host = next((name for name in THROWAWAY_DISK if os.environ.get(name)), None)
    if host and settings.database_url.startswith("sqlite"):
        raise ConfigError(
            f"{host} is set, so this host's disk is thrown away at each deploy and restart, and "
            "an SQLite database with it. Set DATABASE_URL to a PostgreSQL database (the "
            "platform's add-on gives one)."
        )


def migrate(settings: Settings) -> None:
    """Bring the database to head and let go of it (no connection crosses a fork)."""
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def socket(settings: Settings) -> None:
    """`partnerbot socket`: Socket Mode, for a workspace where no public URL is possible."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    settings.require(*(() if settings.oauth_enabled else ("SLACK_BOT_TOKEN",)), "SLACK_APP_TOKEN")
    settings.keyring()
    refuse_throwaway_sqlite(settings)
    configure_logging(secrets=settings.secrets)
    logger.info("partnerbot starting", extra={"version": release(), "command": "socket"})
    bot = create_app(settings, socket_mode=True)
    warm_search(bot.services)
    if settings.oauth_enabled:
        install_pages(bot, settings.port)
    watch(bot.app.client, token_known=not settings.oauth_enabled)
    if settings.scheduler_enabled:
        build_scheduler(
            bot.services,
            client=scheduler_clients(settings, bot.engine),
            retention_days=_retention(settings),
        ).start()
    SocketModeHandler(bot.app, settings.slack_app_token).start()


def install_pages(bot: Partnerbot, port: int) -> LocalServer:
    """Socket Mode takes Slack's requests over its socket, but an install still needs Slack's
    browser redirect to land somewhere: /slack/install and /slack/oauth_redirect on PORT."""
    server = LocalServer(build_wsgi(bot), host="0.0.0.0", port=port).start()
    logger.info("install pages served", extra={"port": port})
    return server


def worker(settings: Settings) -> None:
    """`partnerbot worker`: the scheduler alone, in the foreground."""
    if not settings.oauth_enabled:
        settings.require("SLACK_BOT_TOKEN")
    settings.keyring()
    configure_logging(secrets=settings.secrets)
    engine, services = open_services(settings)
    logger.info("partnerbot starting", extra={"version": release(), "command": "worker"})
    build_scheduler(
        services,
        blocking=True,
        client=scheduler_clients(settings, engine),
        retention_days=_retention(settings),
    ).start()


def _retention(settings: Settings) -> int | None:
    """Only workspaces that installed through OAuth can leave; theirs is the retention job."""
    return settings.partnerbot_retention_days if settings.oauth_enabled else None
