"""The curated library: guidance written from the programme's source documents, shipped as
YAML in knowledge/library/, read-only, and loaded into every workspace."""

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from knowledge.audit import record_change
from knowledge.entries import LIBRARY
from storage.models import TEXT_MAX, TITLE_MAX, Entry

# libyaml's safe loader when the wheel has it (five times quicker; the same documents)
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
LIBRARY_FOLDER = Path(__file__).parent / "library"
TIP_MAX = 600
RELEASE_ACTOR = "partnerbot"  # who the audit trail names for a release's library changes


class _Item(BaseModel):
    slug: str = Field(pattern=r"^[a-z0-9-]{3,80}$")
    title: str = Field(min_length=3, max_length=TITLE_MAX)
    tags: list[str] = []
    body: str = Field(min_length=40, max_length=TEXT_MAX)
    # our own practice advice, kept apart from what the document says and never cited to it
    tip: str | None = Field(default=None, min_length=20, max_length=TIP_MAX)


class _File(BaseModel):
    document: str = Field(max_length=400)  # the source document's full title
    cite: str = Field(max_length=120)  # how a result names it
    seed: str
    # when the document describes things as they stood at a date long past: a line every entry
    # drawn from it ends with
    dated: str | None = Field(default=None, max_length=300)
    entries: list[_Item]


@dataclass(frozen=True)
class LibraryEntry:
    slug: str
    title: str
    body: str
    tags: str
    source: str
    tip: str | None = None


@lru_cache(maxsize=1)
def load_library(folder: Path = LIBRARY_FOLDER) -> tuple[LibraryEntry, ...]:
    """Every library entry, checked; a broken file or a repeated slug stops the release."""
    entries: dict[str, LibraryEntry] = {}
    for path in sorted(folder.glob("*.yaml")):
        data = _File.model_validate(yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader))
        for item in data.entries:
            if item.slug in entries:
                raise ValueError(f"{path.name}: the slug {item.slug!r} is used twice")
            entries[item.slug] = LibraryEntry(
                slug=item.slug,
                title=item.title,
                body=" ".join(item.body.split())
                + (f"\n\n{' '.join(data.dated.split())}" if data.dated else ""),
                tags=" ".join(t.casefold() for t in item.tags),
                source=data.cite,
                tip=" ".join(item.tip.split()) if item.tip else None,
            )
    return tuple(entries.values())


def sync_library(
    session: Session,
    *,
    team_id: str,
    now: datetime,
    library: tuple[LibraryEntry, ...] | None = None,
) -> int:
    """Make a workspace's library match this release: add, update in place, retire. Returns
    how many entries changed. Safe to run at every start, and in two processes at once."""
    library = load_library() if library is None else library
    try:
        return _sync(session, team_id, now, library)
    except IntegrityError:  # another process added the same slugs first: theirs stand
        session.rollback()
        return _sync(session, team_id, now, library)


def _sync(session: Session, team_id: str, now: datetime, library: tuple[LibraryEntry, ...]) -> int:
    rows = {
        e.slug: e
        for e in session.exec(
            select(Entry)
            .where(Entry.team_id == team_id)
            # only library entries have a slug: the (team, slug) index finds them without
            # reading the workspace's other entries (0.3 s at 100,000)
            .where(col(Entry.slug).is_not(None))
            .where(Entry.kind == LIBRARY)
        )
    }
    changed = 0
    for item in library:
        row = rows.pop(item.slug, None)
        fields: dict[str, Any] = {
            "title": item.title,
            "body": item.body,
            "tags": item.tags,
            "source": item.source,
            "tip": item.tip,
        }
        if row is None:
            row = Entry(
                team_id=team_id,
                kind=LIBRARY,
                slug=item.slug,
                created_at=now,
                updated_at=now,
                changed_at=now,
                **fields,
            )
        elif row.deleted_at is None and all(getattr(row, k) == v for k, v in fields.items()):
            continue
        else:
            for key, value in fields.items():
                setattr(row, key, value)
            row.deleted_at = None
            row.updated_at = row.changed_at = now
            row.version += 1
        session.add(row)
        session.flush()
        record_change(
            session,
            team_id=team_id,
            actor_id=RELEASE_ACTOR,
            action="edit" if row.version > 1 else "create",
            entity=LIBRARY,
            entity_id=row.id or 0,
            at=now,
            detail={"slug": item.slug},
        )
        changed += 1
    for row in rows.values():  # entries this release no longer ships
        if row.deleted_at is None:
            row.deleted_at = row.changed_at = now
            row.version += 1
            session.add(row)
            record_change(
                session,
                team_id=team_id,
                actor_id=RELEASE_ACTOR,
                action="delete",
                entity=LIBRARY,
                entity_id=row.id or 0,
                at=now,
                detail={"slug": row.slug},
            )
            changed += 1
    session.commit()
    return changed
