"""The scheduler. APScheduler is only the clock: the database holds what is due and sent."""

import logging
import time
from datetime import timedelta
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from sqlalchemy.engine import Engine

from bot.settings import Settings
from handlers.metrics import RATE_LIMIT_WAITS
from handlers.sending import Clients, QuietWebClient
from handlers.services import Services
from storage.events import prune_events
from storage.outbox import prune_outbox

logger = logging.getLogger("partnerbot.scheduler")

EVENT_MEMORY = timedelta(days=2)  # Slack retries an event for minutes; two days is ample


def scheduler_client(settings: Settings) -> WebClient:
    """The scheduler's client: it may sleep on a 429's Retry-After, as listeners may not."""
    settings.require("SLACK_BOT_TOKEN")
    return retrying_client(settings, str(settings.slack_bot_token))


class CountedRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """slack_sdk's wait on a 429's Retry-After, counted for /metrics."""

    def prepare_for_next_attempt(
        self, *, state: Any, request: Any, response: Any = None, error: Any = None
    ) -> None:
        RATE_LIMIT_WAITS.labels(str(request.url).rsplit("/", 1)[-1]).inc()
        super().prepare_for_next_attempt(
            state=state, request=request, response=response, error=error
        )


def retrying_client(settings: Settings, token: str) -> WebClient:
    """A client for one workspace's token that waits out a 429 (never a listener's)."""
    return QuietWebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            ConnectionErrorRetryHandler(),
            CountedRateLimitRetryHandler(max_retry_count=3),
        ],
    )


def prune_processed_events(services: Services) -> None:
    """Forget old Events API ids, so the dedupe table stays small; and sent messages."""
    with services.sessions() as session:
        removed = prune_events(session, before=services.clock() - EVENT_MEMORY)
        sent = prune_outbox(session, now=services.clock())
    logger.info("pruned processed events", extra={"removed": removed, "outbox": sent})


def deliver_outbox(services: Services, client: WebClient | Clients) -> None:
    """Send every message owed and due (storage/outbox.py): what Slack refused a moment ago."""
    from handlers.outbox_drain import deliver_owed

    for line in deliver_owed(services, client, services.clock()):
        logger.info("owed message sent", extra={"line": line})


def send_nudges(services: Services, client: WebClient | Clients) -> None:
    """Send every nudge that is due now (the same code as `partnerbot nudges run`)."""
    from bot.nudging import send_due_nudges

    for line in send_due_nudges(services, client, services.clock()):
        logger.info("nudge sent", extra={"line": line})


def breakout_timers(services: Services, client: WebClient | Clients) -> None:
    """ "2 minutes left" and "time's up" for running breakouts."""
    from bot.timers import run_breakout_timers

    for line in run_breakout_timers(services, client, services.clock()):
        logger.info("breakout timer", extra={"line": line})


def send_digests(services: Services, client: WebClient | Clients) -> None:
    """Monday's digests (claimed per channel and week, so two processes post once)."""
    from bot.digesting import post_digests, post_network_digests

    for line in post_digests(services, client, services.clock()):
        logger.info("digest posted", extra={"line": line})
    for line in post_network_digests(services, client, services.clock()):
        logger.info("network digest posted", extra={"line": line})


def purge_departed_workspaces(services: Services, retention_days: int) -> None:
    """Purge the data of workspaces that uninstalled more than the retention period ago."""
    from bot.retention import purge_departed

    purge_departed(services, services.clock(), retention_days=retention_days)


def pulses(services: Services, client: WebClient | Clients) -> None:
    """Close pulses whose week is over; start the month's (claimed, so once across processes)."""
    from bot.pulsing import run_pulses

    for line in run_pulses(services, client, services.clock()):
        logger.info("pulse", extra={"line": line})


def scheduler_clients(settings: Settings, engine: Engine) -> WebClient | Clients:
    """The scheduler's client: the one workspace's, or with OAuth installs each workspace's own
    (bot/installs.py), all of them waiting out a 429."""
    if settings.oauth_enabled:
        from bot.installs import team_clients

        return team_clients(settings, engine)
    return scheduler_client(settings)


class Heartbeat:
    """When this process's scheduler last ran a job (None: it runs none here), for /readyz."""

    def __init__(self) -> None:
        self.at: float | None = None

    def beat(self) -> None:
        self.at = time.monotonic()

    def silent_for(self) -> float | None:
        """Seconds since the last job ran, or None when this process has no scheduler."""
        return None if self.at is None else time.monotonic() - self.at


HEARTBEAT = Heartbeat()


def build_scheduler(
    services: Services,
    *,
    blocking: bool = False,
    client: WebClient | Clients | None = None,
    retention_days: int | None = None,
) -> BaseScheduler:
    """The scheduler with every job added, not started: `serve` runs it in the background,
    `worker` in the foreground. `retention_days` (OAuth installs): purge workspaces that left
    longer ago than that, daily."""
    scheduler: BaseScheduler = BlockingScheduler() if blocking else BackgroundScheduler()
    HEARTBEAT.beat()
    scheduler.add_listener(lambda _event: HEARTBEAT.beat(), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.add_job(
        prune_processed_events,
        "interval",
        hours=1,
        args=[services],
        id="prune-processed-events",
        replace_existing=True,
        coalesce=True,
        max_instances=1,
    )
    if retention_days is not None:
        scheduler.add_job(
            purge_departed_workspaces,
            "interval",
            hours=24,
            args=[services, retention_days],
            id="purge-departed-workspaces",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
    if client is not None:  # the scheduler's own client: it may wait out a 429
        # every 20 s: a run that died holds its reminders for storage.claims.LEASE (30 s), so the
        # next run after that sends them, within a minute of the crash
        scheduler.add_job(
            send_nudges,
            "interval",
            seconds=20,
            args=[services, client],
            id="send-nudges",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        # every 5 s: Slack's Retry-After is seconds, and what a listener could not send waits here
        scheduler.add_job(
            deliver_outbox,
            "interval",
            seconds=5,
            args=[services, client],
            id="deliver-outbox",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        scheduler.add_job(
            breakout_timers,
            "interval",
            seconds=10,
            args=[services, client],
            id="breakout-timers",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        scheduler.add_job(
            pulses,
            "interval",
            minutes=30,
            args=[services, client],
            id="health-pulses",
            replace_existing=True,
            coalesce=True,
            max_instances=1,
        )
        # Monday 09:00 where the council is; a process that was down then posts on its return
        scheduler.add_job(
            send_digests,
            "cron",
            day_of_week="mon",
            hour=9,
            minute=0,
            timezone=services.timezone,
            args=[services, client],
            id="weekly-digest",
            replace_existing=True,
            coalesce=True,
            misfire_grace_time=6 * 3600,
        )
    return scheduler
