"""The audit trail: every create, edit and delete, with who and when."""

import json
from datetime import datetime
from typing import Any, Literal

from sqlmodel import Session, col, select

from storage.models import AuditEntry

Action = Literal["create", "edit", "delete"]


def record_change(
    session: Session,
    *,
    team_id: str,
    actor_id: str,
    action: Action,
    entity: str,
    entity_id: str | int,
    at: datetime,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit row to the caller's transaction (committed with the change it describes)."""
    entry = AuditEntry(
        team_id=team_id,
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        at=at,
        detail=json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
    )
    session.add(entry)
    return entry


def history(
    session: Session, *, team_id: str, entity: str, entity_id: str | int
) -> list[AuditEntry]:
    """The audit rows for one entry of one workspace, oldest first."""
    statement = (
        select(AuditEntry)
        .where(AuditEntry.team_id == team_id)
        .where(AuditEntry.entity == entity)
        .where(AuditEntry.entity_id == str(entity_id))
        .order_by(col(AuditEntry.at), col(AuditEntry.id))
    )
    return list(session.exec(statement))
