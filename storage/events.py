"""Queries for the Events API's at-least-once delivery."""

from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col

from storage.claims import claim_once
from storage.models import ProcessedEvent


def claim_event(session: Session, *, team_id: str, event_id: str, at: datetime) -> bool:
    """Record an event as handled; False when it was already claimed (a retry or a twin)."""
    return claim_once(session, ProcessedEvent(team_id=team_id, event_id=event_id, received_at=at))


def prune_events(session: Session, *, before: datetime) -> int:
    """Forget handled events older than `before` (Slack retries for minutes, not days)."""
    statement = delete(ProcessedEvent).where(col(ProcessedEvent.received_at) < before)
    result = session.execute(statement)
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
