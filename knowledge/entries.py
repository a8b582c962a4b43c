"""Lessons learnt and briefing notes: saving, editing, deleting, voting; who may do what."""

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from knowledge.audit import Action, record_change
from knowledge.index import Document
from knowledge.shared_entries import audit_withdrawn, withdraw_entry_everywhere
from storage import claims
from storage.models import (
    TAG_MAX,
    TAGS_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Entry,
    LessonWanted,
    Partnership,
    Vote,
)
from storage.rows import team_row

LESSON, BRIEF, LIBRARY = "lesson", "brief", "library"
KIND_LABELS = {LESSON: "Lesson learnt", BRIEF: "Briefing note", LIBRARY: "Library"}
TITLE_FROM_TEXT = 100

# A label never holds "<" (Slack escapes it), so [^<>] stops each try at the next "<": a
# message of "<#A|" 10,000 times is read once, not 10,000 times over (every pattern applied to
# what people write runs in linear time; tests/knowledge/test_linear_text.py)
_TAG = re.compile(r"<#[A-Z0-9]+\|([^<>]+)>|(?<![\w&])#([\w-]+)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_URL = re.compile(r"https?://[^\s<>]+")
# <@U123|sam>, <#C123|retrofit>, <!subteam^S1|@leads>: a person's or channel's ID is never a word
# the index keeps (nor, after forget-user, a snapshot); their label is
_SLACK_REF = re.compile(r"<[@#!][A-Za-z0-9^]+(?:\|([^<>]*))?>")


class EntryError(ValueError):
    """An entry that cannot be saved as it is; `field` names the form field to point at."""

    def __init__(self, message: str, field: str = "body") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Draft:
    """An entry as someone wrote it, before it is checked and saved."""

    kind: str
    title: str
    body: str = ""
    learnt: str | None = None
    differently: str | None = None
    tags: tuple[str, ...] = ()
    source: str | None = None
    note_date: date | None = None
    permalink: str | None = None
    partnership_id: int | None = None
    private: bool = False


def clean_tags(raw: Any) -> tuple[str, ...]:
    """Tags as stored: lower case, no '#', no repeats, in the order given."""
    items = raw.replace(",", " ").split() if isinstance(raw, str) else list(raw or ())
    seen: list[str] = []
    for item in items:
        tag = str(item).strip().lstrip("#").casefold()
        if tag and tag not in seen:
            seen.append(tag)
    return tuple(seen)


def draft_from_text(kind: str, text: str) -> Draft:
    """A quick entry from one line of text: its first sentence is the title, `#tags` are tags."""
    tags = clean_tags(a or b for a, b in _TAG.findall(text))
    plain = _TAG.sub(lambda m: "#" + (m[1] or m[2]), text).strip()
    untagged = " ".join(_TAG.sub(" ", text).split())
    first = _SENTENCE_END.split(untagged, maxsplit=1)[0].strip()
    if len(first) > TITLE_FROM_TEXT:
        cut = first[:TITLE_FROM_TEXT].rsplit(" ", 1)[0]
        first = (cut if len(cut) > TITLE_FROM_TEXT // 2 else first[:TITLE_FROM_TEXT]) + "…"
    return Draft(
        kind=kind,
        title=first.rstrip("."),
        body=plain,
        tags=tags,  # tags alone: no title
    )


def validate(draft: Draft) -> Draft:
    """The draft tidied, or an EntryError naming the first thing wrong with it."""
    title = " ".join(draft.title.split())
    if not title:
        raise EntryError("Give it a title.", "title")
    if len(title) > TITLE_MAX:
        raise EntryError(
            f"Keep the title to {TITLE_MAX} characters (it has {len(title)}).", "title"
        )
    texts = {
        "body": draft.body,
        "learnt": draft.learnt or "",
        "differently": draft.differently or "",
    }
    for name, text in texts.items():
        if len(text) > TEXT_MAX:
            raise EntryError(f"Keep this to {TEXT_MAX:,} characters (it has {len(text):,}).", name)
    if not any(t.strip() for t in texts.values()):
        raise EntryError("Say what happened, or what the note is about.", "body")
    tags = clean_tags(draft.tags)
    if len(tags) > TAGS_MAX:
        raise EntryError(f"Use at most {TAGS_MAX} tags (there are {len(tags)}).", "tags")
    for tag in tags:
        if len(tag) > TAG_MAX or not re.fullmatch(r"[\w-]+", tag):
            raise EntryError(
                f"“{tag[:50]}” can't be a tag: letters, digits and - only, up to "
                f"{TAG_MAX} characters.",
                "tags",
            )
    source = (draft.source or "").strip() or None
    if source and (len(source) > 500 or not _URL.fullmatch(source)):
        raise EntryError("The source should be a web link starting https://", "source")
    return replace(
        draft,
        title=title,
        body=draft.body.strip(),
        tags=tags,
        source=source,
        learnt=(draft.learnt or "").strip() or None,
        differently=(draft.differently or "").strip() or None,
    )


def _changes(draft: Draft) -> dict[str, Any]:
    return {
        "title": draft.title,
        "body": draft.body,
        "learnt": draft.learnt,
        "differently": draft.differently,
        "tags": " ".join(draft.tags),
        "source": draft.source,
        "note_date": draft.note_date,
        "partnership_id": draft.partnership_id,
    }


def audit(
    session: Session,
    entry: Entry,
    *,
    actor_id: str,
    action: Action,
    now: datetime,
    detail: dict[str, Any],
) -> None:
    """Record a change to an entry in the caller's transaction (flushing a new one for its id)."""
    if entry.id is None:
        session.add(entry)
        session.flush()
    record_change(
        session,
        team_id=entry.team_id,
        actor_id=actor_id,
        action=action,
        entity=entry.kind,
        entity_id=entry.id or 0,
        at=now,
        detail=detail,
    )


def _check_partnership(session: Session, team_id: str, partnership_id: int | None) -> None:
    # a form's option value comes back from the client: never trust it to name our own row
    if (
        partnership_id is not None
        and team_row(session, Partnership, team_id=team_id, row_id=partnership_id) is None
    ):
        raise EntryError("That partnership isn't in this workspace.", "partnership")


def check_draft(session: Session, *, team_id: str, draft: Draft) -> Draft:
    """The draft tidied, or an EntryError: everything a form can be told before it closes."""
    draft = validate(draft)
    _check_partnership(session, team_id, draft.partnership_id)
    return draft


def save_entry(
    session: Session,
    *,
    team_id: str,
    draft: Draft,
    author_id: str,
    channel_id: str | None,
    now: datetime,
    once: str | None = None,
) -> Entry:
    """Save a new lesson or briefing note, audited. Private drafts stay in their channel.
    With `once` (a submitted form's key), the same form saved twice raises claims.Repeat."""
    draft = validate(draft)
    _check_partnership(session, team_id, draft.partnership_id)
    if once is not None:
        claims.done_once(session, team_id=team_id, key=once, at=now)
    if draft.kind not in (LESSON, BRIEF):
        raise EntryError("Only lessons and briefing notes can be saved.", "kind")
    entry = Entry(
        team_id=team_id,
        kind=draft.kind,
        author_id=author_id,
        channel_id=channel_id,
        private=draft.private and channel_id is not None,
        permalink=draft.permalink,
        created_at=now,
        updated_at=now,
        changed_at=now,
        **_changes(draft),
    )
    audit(
        session, entry, actor_id=author_id, action="create", now=now, detail={"title": entry.title}
    )
    session.commit()
    return entry


def may_change(entry: Entry, user_id: str, *, manager: bool) -> bool:
    """Authors, workspace admins and facilitators may change an entry; the library is read-only."""
    return entry.kind != LIBRARY and (manager or entry.author_id == user_id)


def find_visible(
    session: Session, *, team_id: str, entry_id: int, channel_id: str | None
) -> Entry | None:
    """The entry, if it exists in this workspace, is not deleted, and may be seen from here."""
    entry = team_row(session, Entry, team_id=team_id, row_id=entry_id)
    if entry is None or entry.deleted_at is not None:
        return None
    if entry.private and entry.channel_id != channel_id:
        return None
    return entry


def edit_entry(
    session: Session, *, entry: Entry, draft: Draft, actor_id: str, manager: bool, now: datetime
) -> Entry:
    """Change an entry, if the actor may; audited with the fields that changed."""
    if not may_change(entry, actor_id, manager=manager):
        raise EntryError("Only the author, a workspace admin or a facilitator can change this.")
    draft = validate(replace(draft, kind=entry.kind))
    _check_partnership(session, entry.team_id, draft.partnership_id)
    changes = {k: v for k, v in _changes(draft).items() if getattr(entry, k) != v}
    for key, value in changes.items():
        setattr(entry, key, value)
    entry.updated_at = entry.changed_at = now
    entry.version += 1
    session.add(entry)
    audit(
        session,
        entry,
        actor_id=actor_id,
        action="edit",
        now=now,
        detail={"fields": sorted(changes)},
    )
    session.commit()
    return entry


def delete_entry(
    session: Session, *, entry: Entry, actor_id: str, manager: bool, now: datetime
) -> None:
    """Delete an entry, if the actor may. Kept as a tombstone so every index forgets it."""
    if not may_change(entry, actor_id, manager=manager):
        raise EntryError("Only the author, a workspace admin or a facilitator can delete this.")
    entry.deleted_at = entry.changed_at = now
    entry.version += 1
    session.add(entry)
    networks = withdraw_entry_everywhere(
        session, team_id=entry.team_id, entry_id=entry.id or 0, by=actor_id, now=now
    )
    audit(
        session, entry, actor_id=actor_id, action="delete", now=now, detail={"title": entry.title}
    )
    session.commit()
    audit_withdrawn(
        session, networks, team_id=entry.team_id, by=actor_id, title=entry.title, now=now
    )


def vote(session: Session, *, entry: Entry, user_id: str, helpful: bool, now: datetime) -> Entry:
    """Record (or change) one person's vote, and the entry's totals."""
    existing = session.exec(
        select(Vote).where(Vote.entry_id == entry.id).where(Vote.user_id == user_id)
    ).first()
    if existing is None:
        session.add(
            Vote(
                team_id=entry.team_id,
                entry_id=entry.id or 0,
                user_id=user_id,
                helpful=helpful,
                at=now,
            )
        )
    else:
        existing.helpful, existing.at = helpful, now
        session.add(existing)
    session.flush()
    votes = list(session.exec(select(Vote.helpful).where(Vote.entry_id == entry.id)))
    entry.helpful = sum(1 for v in votes if v)
    entry.unhelpful = len(votes) - entry.helpful
    entry.changed_at = now  # the index ranks well-voted entries a little higher
    entry.version += 1
    session.add(entry)
    session.commit()
    return entry


def entries_by(session: Session, *, team_id: str, author_id: str, limit: int = 10) -> list[Entry]:
    """Someone's own lessons and notes, newest first."""
    statement = (
        select(Entry)
        .where(Entry.team_id == team_id)
        .where(Entry.author_id == author_id)
        .where(col(Entry.deleted_at).is_(None))
        .order_by(col(Entry.created_at).desc())
        .limit(limit)
    )
    return list(session.exec(statement))


def want_lesson(
    session: Session,
    *,
    team_id: str,
    question: str,
    user_id: str,
    channel_id: str | None,
    now: datetime,
    private: bool = True,
) -> LessonWanted:
    """Keep a question nobody has answered yet, as a prompt for a lesson."""
    wanted = LessonWanted(
        team_id=team_id,
        question=question[:TEXT_MAX],
        asked_by=user_id,
        channel_id=channel_id,
        private=private,
        created_at=now,
    )
    session.add(wanted)
    session.commit()
    return wanted


def searchable_text(entry: Entry) -> str:
    """Everything in an entry's body fields (and a library entry's practice tip), as one text."""
    return "\n".join(t for t in (entry.body, entry.learnt, entry.differently, entry.tip) if t)


def _without_ids(text: str) -> str:
    return _SLACK_REF.sub(lambda m: m[1] or " ", text) if "<" in text else text


def document_of(entry: Entry) -> Document:
    """What the search index keeps of an entry (Slack IDs in its text as their labels only)."""
    text = searchable_text(entry) + (f"\n{entry.source}" if entry.kind == LIBRARY else "")
    return Document(
        entry_id=entry.id or 0,
        kind=entry.kind,
        title=_without_ids(entry.title),
        # the library's citation too: officers ask "what does the parks guide say about…"
        text=_without_ids(text),
        tags=tuple(entry.tags.split()),
        created=entry.created_at,
        author_id=entry.author_id,
        partnership_id=entry.partnership_id,
        private_channel=entry.channel_id if entry.private else None,
        votes=entry.helpful - entry.unhelpful,
        channel=entry.channel_id,
    )
