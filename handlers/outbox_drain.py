"""The scheduler's side of the outbox: every few seconds, send what is owed and due (what Slack
refused a moment ago, or a reply whose thread has just been posted), under a lease, a batch at
a time, SENDERS at once."""

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from slack_sdk import WebClient

from handlers.outbox import attempt, give_up
from handlers.sending import Clients, for_team
from handlers.services import Services
from storage.claims import Lease
from storage.outbox import PENDING, OutboxMessage

logger = logging.getLogger("partnerbot.outbox")
SENDERS = 8


def deliver_owed(services: Services, clients: WebClient | Clients, now: datetime) -> list[str]:
    """Send every owed message that is due (the scheduler's job); one line for each sent."""
    lines: list[str] = []

    def one(lease: Lease[OutboxMessage], row: OutboxMessage) -> str | None:
        if not lease.hold(row):
            return None
        client = for_team(clients, row.team_id)
        if client is None:  # the workspace removed the bot
            give_up(lease, row, "the bot was removed from the workspace", at_once=False)
            return None
        try:
            done = attempt(services, client, lease, row)
        except Exception:
            logger.exception("owed message failed; it will be tried again", extra={"id": row.id})
            lease.finish(row, status=PENDING, claim=None, attempts=row.attempts + 1)
            return None
        return f"outbox {row.id} → {done.channel}: {row.about}" if done.sent else None

    with (
        Lease(services.sessions, OutboxMessage, now=now, due_by_database=True) as lease,
        ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="outbox") as pool,
    ):
        for batch in lease.batches():
            # messages before the replies that go in their threads
            for part in ([r for r in batch if not r.thread_of], [r for r in batch if r.thread_of]):
                lines += [line for line in pool.map(lambda r: one(lease, r), part) if line]
    return lines
