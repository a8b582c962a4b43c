"""Acting once, when several processes (or Slack's retries) may try the same thing.

Two mechanisms, each written once:
- `claim_once`: insert a row whose unique key is the thing done (an Events API delivery, a
  channel's weekly digest, a replayed request, a submitted form). The first insert wins.
- `claim_due`: rows that come due (reminders, breakout timers) are claimed with a conditional
  update from pending to claimed, plus `FOR UPDATE SKIP LOCKED` on PostgreSQL, so two
  processes never take the same row. A run holds its claims as a `Lease`: small batches, a
  token naming the run, renewed by a heartbeat while the run lives, and every change to a
  claimed row made only where the token is still the run's. A run killed with SIGKILL stops
  renewing, and its rows are free again after LEASE; a run that is merely slow keeps them.
"""

import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import bindparam, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from storage.models import ProcessedEvent

Row = TypeVar("Row", bound=SQLModel)
LEASE = timedelta(seconds=30)  # a claim not renewed for this long belongs to a dead process
BATCH = 20  # rows claimed at a time: a slow Slack holds few rows, and others can take the rest
CLOCK_READ = 5.0  # seconds a run goes on its own clock between readings of the database's
logger = logging.getLogger("partnerbot.claims")


class Repeat(Exception):
    """This was done already (a resubmitted form, a replayed request)."""


def claim_once(session: Session, row: SQLModel) -> bool:
    """Insert `row` and commit; False when its unique key was taken already."""
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def done_once(session: Session, *, team_id: str, key: str, at: datetime) -> None:
    """Mark `key` done inside the caller's transaction (committed with what it records);
    raises Repeat if it was done before."""
    session.add(ProcessedEvent(team_id=team_id, event_id=key[:64], received_at=at))
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise Repeat(key) from None


def database_now(session: Session) -> datetime:
    """The database's clock, in UTC: what every process's leases and look-backs are judged by,
    so a process whose own clock runs ahead (or behind) takes nobody else's claims."""
    if session.get_bind().dialect.name == "sqlite":  # UTC, to the millisecond, as text
        found = session.execute(select(func.strftime("%Y-%m-%d %H:%M:%f", "now"))).scalar_one()
        return datetime.fromisoformat(str(found)).replace(tzinfo=UTC)
    found = session.execute(select(func.clock_timestamp())).scalar_one()  # now, not tx start
    return found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)


def claim_due(
    session: Session,
    model: type[Row],
    *,
    now: datetime | None,
    stale_after: timedelta,
    limit: int | None = None,
    extra: dict[str, Any] | None = None,
) -> list[Row]:
    """Claim `model` rows that are due at `now` (the run's instant; None: the database's) for
    this process alone.

    The model has `id`, `status` (pending | claimed | …), `due_at` and `claimed_at`; claims
    older than `stale_after` by the database's clock (a process that died) go back to pending
    first, and a claim is stamped with the database's clock. `extra` holds more values to set
    on a claimed row (a claim token).
    """
    table: Any = model
    held_since = database_now(session)
    session.execute(
        update(model)
        .where(col(table.status) == "claimed")
        .where(col(table.claimed_at) < held_since - stale_after)
        .values(status="pending", **{k: None for k in (extra or {})})
    )
    session.commit()
    statement = (
        select(table.id)
        .where(table.status == "pending")
        .where(col(table.due_at) <= (held_since if now is None else now))
        .order_by(col(table.due_at), col(table.id))
    )
    if limit is not None:
        statement = statement.limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    candidates: Sequence[int] = list(session.exec(statement))
    # one statement for the whole batch: only rows still pending are taken
    claimed = list(
        session.execute(
            update(model)
            .where(col(table.id).in_(candidates))
            .where(col(table.status) == "pending")
            .values(status="claimed", claimed_at=held_since, **(extra or {}))
            .returning(table.id)
        ).scalars()
    ) if candidates else []  # fmt: skip
    session.commit()
    if not claimed:
        return []
    return list(
        session.exec(
            select(model)
            .where(col(table.id).in_(claimed))
            .order_by(col(table.due_at), col(table.id))
        )
    )


def claim_token() -> str:
    """A fresh token naming one run's claims."""
    return secrets.token_hex(8)


class Lease(Generic[Row]):
    """One run's claims on due rows of `model` (which has `claim`, a token column).

    `with Lease(sessions, Nudge, now=now) as lease:` then `for row in lease.rows():`, act on a
    row only if `lease.hold(row)`, and change it with `lease.finish(row, …)`; both are
    conditional on the run's token, so a row another process has taken is never acted on.
    """

    def __init__(
        self,
        sessions: Callable[[], Session],
        model: type[Row],
        *,
        now: datetime,
        lease: timedelta | None = None,
        batch: int = BATCH,
        due_by_database: bool = False,
    ) -> None:
        """`due_by_database`: rows are due by the database's clock (the outbox, whose waits
        come from Slack's Retry-After), not by the instant the run was asked to run at."""
        self._sessions, self._model, self._batch = sessions, model, batch
        self._due_by_database = due_by_database
        self._lease = lease or LEASE
        self.token = claim_token()
        self._start, self._started_at = time.monotonic(), now
        self._stop = threading.Event()
        self._clock_read: tuple[float, datetime] | None = None  # (monotonic, database clock)
        self._clock_lock = threading.Lock()
        self._later: list[tuple[Any, dict[str, Any]]] = []  # changes made at flush()
        self._heartbeat = threading.Thread(
            target=self._beat, name=f"lease-{model.__name__}", daemon=True
        )

    def now(self) -> datetime:
        """The run's clock: the instant it was asked to run at, plus the time it has taken."""
        return self._started_at + timedelta(seconds=time.monotonic() - self._start)

    def __enter__(self) -> "Lease[Row]":
        self._heartbeat.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._heartbeat.join(timeout=5)
        self.flush()
        self.release_all()

    def rows(self) -> Iterator[Row]:
        """Due rows, claimed a batch at a time until none are left."""
        for batch in self.batches():
            yield from batch

    def batches(self) -> Iterator[list[Row]]:
        """Due rows, a claimed batch at a time (act on one before asking for the next)."""
        while True:
            with self._sessions() as session:
                batch = claim_due(
                    session,
                    self._model,
                    now=None if self._due_by_database else self.now(),
                    stale_after=self._lease,
                    limit=self._batch,
                    extra={"claim": self.token},
                )
            if not batch:
                return
            yield batch

    def _where(self, row: Any) -> Any:
        table: Any = self._model
        return (
            update(self._model)
            .where(col(table.id) == row.id)
            .where(col(table.claim) == self.token)
            .where(col(table.status) == "claimed")
        )

    def database_now(self) -> datetime:
        """The database's clock (leases, and when a send began, are judged by it): read from
        the database at most every CLOCK_READ, and in between moved on by this process's
        monotonic clock (which cannot jump), so a burst asks the database once, not per row."""
        with self._clock_lock:
            read = self._clock_read
            if read is None or time.monotonic() - read[0] > CLOCK_READ:
                with self._sessions() as session:
                    read = self._clock_read = (time.monotonic(), database_now(session))
            return read[1] + timedelta(seconds=time.monotonic() - read[0])

    def hold(self, row: Row) -> bool:
        """Renew the claim on one row just before acting on it; False if it is not ours now."""
        return self.finish(row, claimed_at=self.database_now())

    def hold_all(self, rows: list[Row]) -> list[Row]:
        """`hold` for a batch in one statement: the rows still this run's."""
        ours = self.finish_all(rows, claimed_at=self.database_now())
        return [row for row in rows if row.id in ours]  # type: ignore[attr-defined]

    def finish_all(self, rows: list[Row], **values: Any) -> set[int]:
        """`finish` for many rows in one statement; the ids of those still this run's."""
        if not rows:
            return set()
        table: Any = self._model
        with self._sessions() as session:
            ours = set(
                session.execute(
                    update(self._model)
                    .where(col(table.id).in_([row.id for row in rows]))  # type: ignore[attr-defined]
                    .where(col(table.claim) == self.token)
                    .where(col(table.status) == "claimed")
                    .values(**values)
                    .returning(table.id)
                ).scalars()
            )
            session.commit()
        return ours

    def finish_later(self, row: Row, **values: Any) -> None:
        """`finish`, written with the others at the next `flush()` (a batch's "sent" marks in
        one statement). Only for a change whose loss a later run can recover from: a reminder
        marked as being sent before it went is looked for in Slack, not sent twice."""
        with self._clock_lock:
            self._later.append((row.id, values))  # type: ignore[attr-defined]

    def flush(self) -> int:
        """Write the changes `finish_later` kept, one statement for each set of columns;
        how many rows were still this run's."""
        with self._clock_lock:
            later, self._later = self._later, []
        if not later:
            return 0
        table = self._model.__table__  # type: ignore[attr-defined]
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row_id, values in later:
            groups.setdefault(tuple(sorted(values)), []).append(
                {"row_id": row_id, **{f"new_{k}": v for k, v in values.items()}}
            )
        changed = 0
        with self._sessions() as session:
            for columns, params in groups.items():
                statement = (
                    update(table)
                    .where(table.c.id == bindparam("row_id"))
                    .where(table.c.claim == self.token)
                    .where(table.c.status == "claimed")
                    .values({name: bindparam(f"new_{name}") for name in columns})
                )
                result = session.connection().execute(statement, params)
                changed += int(getattr(result, "rowcount", 0) or 0)
            session.commit()
        if changed < len(later):
            logger.warning(
                "claims were lost before they were marked",
                extra={"table": self._model.__name__, "lost": len(later) - changed},
            )
        return changed

    def finish(self, row: Row, **values: Any) -> bool:
        """Change a row this run still holds (mark it sent, put it off, release it)."""
        with self._sessions() as session:
            result = session.execute(self._where(row).values(**values))
            session.commit()
        ours = getattr(result, "rowcount", 0) == 1
        if not ours:
            logger.warning("a claim was lost", extra={"table": self._model.__name__, "row": row.id})  # type: ignore[attr-defined]
        return ours

    def renew(self) -> int:
        """Keep every row this run holds (the heartbeat calls this)."""
        table: Any = self._model
        with self._sessions() as session:
            result = session.execute(
                update(self._model)
                .where(col(table.claim) == self.token)
                .where(col(table.status) == "claimed")
                .values(claimed_at=database_now(session))
            )
            session.commit()
        return int(getattr(result, "rowcount", 0) or 0)

    def release_all(self) -> None:
        """Rows this run claimed and did not finish go back to pending for the next run."""
        table: Any = self._model
        with self._sessions() as session:
            session.execute(
                update(self._model)
                .where(col(table.claim) == self.token)
                .where(col(table.status) == "claimed")
                .values(status="pending", claim=None)
            )
            session.commit()

    def _beat(self) -> None:
        while not self._stop.wait(self._lease.total_seconds() / 3):
            try:
                self.renew()
            except Exception:  # a missed beat is survivable; the next one tries again
                logger.warning("could not renew claims", exc_info=True)
