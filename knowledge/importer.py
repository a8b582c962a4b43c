"""Bulk import of lessons and briefing notes: CSV or JSON Lines, all or nothing."""

import csv
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from knowledge.entries import BRIEF, LESSON, Draft, EntryError, audit, clean_tags, validate
from storage.models import Entry

COLUMNS = ["kind", "title", "body", "tags", "author", "created_at"]
IMPORT_ACTOR = "import"
_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,31}")


class ImportProblem(ValueError):
    """A file that cannot be imported; the message names the line and what is wrong."""


@dataclass(frozen=True)
class Row:
    line: int
    draft: Draft
    author_id: str | None
    created_at: datetime | None


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    text = path.read_text(encoding="utf-8-sig")  # Excel's CSVs start with a BOM
    if path.suffix.lower() in {".jsonl", ".ndjson", ".json"}:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ImportProblem(f"line {number}: not valid JSON ({error.msg})") from error
            if not isinstance(record, dict):
                raise ImportProblem(f"line {number}: each line must be one JSON object")
            yield number, record
        return
    reader = csv.DictReader(text.splitlines(keepends=True))
    if [c.strip().casefold() for c in reader.fieldnames or []] != COLUMNS:
        raise ImportProblem(f"line 1: the header must be exactly {','.join(COLUMNS)}")
    for record in reader:
        if None in record:  # more cells than columns
            raise ImportProblem(
                f"line {reader.line_num}: more cells than the {len(COLUMNS)} columns"
            )
        yield reader.line_num, record


def _when(raw: Any, zone: ZoneInfo, line: int) -> datetime | None:
    if raw in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(raw).strip())
    except ValueError:
        try:
            parsed = datetime.combine(date.fromisoformat(str(raw).strip()), time())
        except ValueError as error:
            raise ImportProblem(
                f"line {line}: created_at {str(raw)[:40]!r} is not a date like "
                "2025-03-12 or 2025-03-12T09:30:00+00:00"
            ) from error
    # A date or time without a zone is the council's own local time.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def parse_row(line: int, record: dict[str, Any], zone: ZoneInfo) -> Row:
    """One record checked and turned into a draft, or an ImportProblem naming its line."""
    unknown = set(record) - set(COLUMNS)
    if unknown:
        raise ImportProblem(f"line {line}: unknown field {sorted(unknown)[0]!r}")
    kind = str(record.get("kind") or "").strip().casefold()
    if kind not in (LESSON, BRIEF):
        raise ImportProblem(f"line {line}: kind must be lesson or brief, not {kind[:20]!r}")
    author = str(record.get("author") or "").strip() or None
    if author and not _SLACK_USER.fullmatch(author):
        raise ImportProblem(f"line {line}: author must be a Slack user ID like U0123ABCD, or empty")
    tags = record.get("tags")
    try:
        draft = validate(
            Draft(
                kind=kind,
                title=str(record.get("title") or ""),
                body=str(record.get("body") or ""),
                tags=clean_tags(tags),
            )
        )
    except EntryError as error:
        raise ImportProblem(f"line {line}: {error.field}: {error}") from error
    return Row(line, draft, author, _when(record.get("created_at"), zone, line))


def import_file(
    session: Session,
    *,
    team_id: str,
    path: Path,
    now: datetime,
    timezone: str,
    progress: Callable[[int], None] = lambda n: None,
) -> int:
    """Import every row of a file into one workspace, or nothing if any row is bad."""
    zone = ZoneInfo(timezone)
    rows = []
    for line, record in _records(path):
        rows.append(parse_row(line, record, zone))
        progress(1)
    for row in rows:
        created = row.created_at or now
        entry = Entry(
            team_id=team_id,
            kind=row.draft.kind,
            title=row.draft.title,
            body=row.draft.body,
            tags=" ".join(row.draft.tags),
            author_id=row.author_id,
            created_at=created,
            updated_at=created,
            changed_at=now,
        )
        audit(
            session,
            entry,
            actor_id=IMPORT_ACTOR,
            action="create",
            now=now,
            detail={"file": path.name, "line": row.line},
        )
        progress(1)
    session.commit()  # one transaction: a failure above leaves nothing half-written
    return len(rows)
