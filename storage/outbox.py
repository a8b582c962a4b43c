"""The outbox: every message the bot owes someone after it has answered Slack (an announcement,
a DM, a post in a thread, an answer to a mention, a file) is a row here before anything is
sent. A sender (handlers/outbox.py) sends it at once if it can; if Slack is rate-limiting or
failing, the row waits and the scheduler's job sends it later, exactly once (it is claimed like
a reminder, and a posted message carries its row's id in its metadata)."""

import json
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Column, Index, LargeBinary, Text, delete, update
from sqlmodel import Field, Session, col, select

from storage.types import SLACK_ID, InOrg, UTCDateTime

MESSAGE, EPHEMERAL, UPLOAD = "message", "ephemeral", "upload"
PENDING, CLAIMED, SENT, FAILED, REFUSED = "pending", "claimed", "sent", "failed", "refused"
KEEP_SENT = timedelta(days=7)  # sent rows are kept a week (to find late deliveries), then go
KEEP_FAILED = timedelta(days=30)  # undelivered ones a month, shown to their author meanwhile


class OutboxMessage(InOrg, table=True):
    """One message owed to Slack, and what became of it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = Field(max_length=SLACK_ID, index=True)
    kind: str = Field(max_length=16)  # message | ephemeral | upload
    channel: str = Field(max_length=SLACK_ID)  # a channel, or a person (a DM)
    payload: str = Field(sa_column=Column(Text, nullable=False))  # JSON: text, blocks, …
    content: bytes | None = Field(default=None, sa_column=Column(LargeBinary()))  # a file
    # where the posted message's ts is kept ("commitment:12"), and whose thread it goes in
    record: str | None = Field(default=None, max_length=64)
    thread_of: str | None = Field(default=None, max_length=64)
    author_id: str | None = Field(default=None, max_length=SLACK_ID)  # told if undeliverable
    about: str = Field(default="", max_length=200)  # what it is, in words
    status: str = Field(default=PENDING, max_length=16)
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    attempts: int = 0
    claim: str | None = Field(default=None, max_length=32)
    claimed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    sending_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    sent_channel: str | None = Field(default=None, max_length=SLACK_ID)
    sent_ts: str | None = Field(default=None, max_length=32)
    error: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))

    def message(self) -> dict[str, Any]:
        """What is to be sent (text, blocks, thread_ts, user, filename, …)."""
        found: dict[str, Any] = json.loads(self.payload)
        return found


def owe(
    session: Session,
    *,
    team_id: str,
    kind: str,
    channel: str,
    message: dict[str, Any],
    now: datetime,
    about: str,
    author_id: str | None = None,
    record: str | None = None,
    thread_of: str | None = None,
    content: bytes | None = None,
    claim: str | None = None,
    due_at: datetime | None = None,
) -> OutboxMessage:
    """Owe a message, due at `due_at` (now when None); commits. With `claim` (a run's token) it
    is written already claimed by that run, being sent now."""
    row = OutboxMessage(
        team_id=team_id,
        kind=kind,
        channel=channel,
        payload=json.dumps(message, ensure_ascii=False),
        content=content,
        record=record,
        thread_of=thread_of,
        author_id=author_id,
        about=about[:200],
        due_at=due_at or now,
        created_at=now,
    )
    if claim is not None:
        row.status, row.claim, row.claimed_at, row.sending_at = CLAIMED, claim, now, now
    session.add(row)
    session.commit()
    return row


def put_off(session: Session, *, team_id: str, kind: str, until: datetime) -> None:
    """Slack asked us to leave this method alone in this workspace until `until`: every message
    of that kind still owed there waits as long; commits."""
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.team_id) == team_id)
        .where(col(OutboxMessage.kind) == kind)
        .where(col(OutboxMessage.status) == PENDING)
        .where(col(OutboxMessage.due_at) < until)
        .values(due_at=until)
    )
    session.commit()


def undelivered(session: Session, *, team_id: str, author_id: str, now: datetime) -> list[Any]:
    """Messages someone's actions owed that could not be delivered, newest first (a month)."""
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.team_id == team_id)
            .where(OutboxMessage.author_id == author_id)
            .where(OutboxMessage.status == FAILED)
            .where(col(OutboxMessage.created_at) >= now - KEEP_FAILED)
            .order_by(col(OutboxMessage.created_at).desc())
            .limit(10)
        )
    )


def prune_outbox(session: Session, *, now: datetime) -> int:
    """Forget sent messages after KEEP_SENT and the rest after KEEP_FAILED; how many."""
    done = session.execute(
        delete(OutboxMessage)
        .where(col(OutboxMessage.status).in_([SENT, REFUSED]))
        .where(col(OutboxMessage.created_at) < now - KEEP_SENT)
    )
    old = session.execute(
        delete(OutboxMessage)
        .where(col(OutboxMessage.status) == FAILED)
        .where(col(OutboxMessage.created_at) < now - KEEP_FAILED)
    )
    session.commit()
    return int(getattr(done, "rowcount", 0) or 0) + int(getattr(old, "rowcount", 0) or 0)


class Backoff:
    """How long this process should leave a Web API method alone for a workspace, after Slack
    said 429 with Retry-After: per (workspace, method), as Slack limits them. On the process's
    monotonic clock (a wait, not an instant); thread-safe."""

    def __init__(self) -> None:
        self._until: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def wait(self, team_id: str, method: str, seconds: float) -> None:
        with self._lock:
            key, until = (team_id, method), time.monotonic() + seconds
            self._until[key] = max(until, self._until.get(key, until))

    def remaining(self, team_id: str, method: str) -> float:
        """Seconds still to wait (0: none)."""
        with self._lock:
            found = self._until.get((team_id, method), 0.0)
        return max(0.0, found - time.monotonic())
