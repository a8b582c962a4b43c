"""Acting once, when several processes (or Slack's retries) may try the same thing.

Two mechanisms, each written once:
- `claim_once`: insert a row whose unique key is the thing done (an Events API delivery, a
  channel's weekly digest, a replayed request, a submitted form). The first insert wins.
- `claim_due`: rows that come due (reminders, breakout timers) are claimed with a conditional
  update from pending to claimed, plus `FOR UPDATE SKIP LOCKED` on PostgreSQL, so two
  processes never take the same row.
"""

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, col, select

from storage.models import ProcessedEvent

Row = TypeVar("Row", bound=SQLModel)


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


def claim_due(
    session: Session,
    model: type[Row],
    *,
    now: datetime,
    stale_after: timedelta,
    limit: int | None = None,
    extra: dict[str, Any] | None = None,
) -> list[Row]:
    """Claim `model` rows that are due at `now` for this process alone.

    The model has `id`, `status` (pending | claimed | …), `due_at` and `claimed_at`; claims
    older than `stale_after` (a process that died) go back to pending first. `extra` holds
    more values to set on a claimed row (a claim token).
    """
    table: Any = model
    session.execute(
        update(model)
        .where(col(table.status) == "claimed")
        .where(col(table.claimed_at) < now - stale_after)
        .values(status="pending", **{k: None for k in (extra or {})})
    )
    session.commit()
    statement = (
        select(table.id)
        .where(table.status == "pending")
        .where(col(table.due_at) <= now)
        .order_by(col(table.due_at), col(table.id))
    )
    if limit is not None:
        statement = statement.limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        statement = statement.with_for_update(skip_locked=True)
    candidates: Sequence[int] = list(session.exec(statement))
    claimed = []
    for row_id in candidates:
        result = session.execute(
            update(model)
            .where(col(table.id) == row_id)
            .where(col(table.status) == "pending")
            .values(status="claimed", claimed_at=now, **(extra or {}))
        )
        if getattr(result, "rowcount", 0) == 1:
            claimed.append(row_id)
    session.commit()
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
