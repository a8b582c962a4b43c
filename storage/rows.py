"""This workspace's row, by id: the one look-up every button, form and job uses, so a payload
naming another workspace's row finds nothing."""

from typing import Any, TypeVar

from sqlmodel import Session, SQLModel

Row = TypeVar("Row", bound=SQLModel)


def team_row(session: Session, model: type[Row], *, team_id: str, row_id: Any) -> Row | None:
    """The row of `model` with this id, if it belongs to `team_id`; None otherwise (or for an
    id that is not a number)."""
    try:
        key = int(row_id)
    except (TypeError, ValueError):
        return None
    row = session.get(model, key)
    if row is None or getattr(row, "team_id", None) != team_id:
        return None
    return row
