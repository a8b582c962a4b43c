"""Column types shared by the tables."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and read back as an aware UTC datetime.

    SQLite has no time zones, so every value is normalised to UTC on the way in; nothing that
    leaves the database is ever naive, which keeps date arithmetic honest across DST.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


# Slack IDs are short (T0123ABCD); 32 leaves room for Enterprise Grid's longer ones.
SLACK_ID = 32
TITLE_MAX = 150  # a Block Kit header's limit, so a title always fits one


class InOrg(SQLModel):
    """What every workspace's row carries besides its `team_id`: the Enterprise Grid org the
    workspace belongs to (None outside one). Written for it when the row is first flushed
    (storage/scope.py), so no feature has to remember it."""

    enterprise_id: str | None = Field(default=None, max_length=SLACK_ID)
