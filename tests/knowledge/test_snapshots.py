"""Search index snapshots: the next process loads the index instead of building it, catches up
with what changed since, and never unpickles bytes it did not sign."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from knowledge.entries import LESSON, Draft, delete_entry, save_entry
from knowledge.query import parse_query
from knowledge.search import SNAPSHOT_EVERY, KnowledgeSearch
from storage.db import session_factory
from storage.models import SearchSnapshot

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
KEY = b"the deployment's signing secret"


def titles(search, text):
    results = search.search(team_id="T1", query=parse_query(text), channel_id=None, now=NOW)
    sessions = search._sessions  # noqa: SLF001
    from storage.models import Entry

    with sessions() as session:
        return [session.get(Entry, hit.entry_id).title for hit in results.hits]


def lesson(session, title, at=NOW):
    return save_entry(
        session,
        team_id="T1",
        draft=Draft(kind=LESSON, title=title, body="What we learnt."),
        author_id="U1",
        channel_id=None,
        now=at,
    )


def test_a_built_index_is_kept_and_the_next_process_loads_it_and_catches_up(engine, session):
    sessions = session_factory(engine)
    kept = lesson(session, "Supplier breakfasts won contractors over")
    gone = lesson(session, "Quarterly steering walks kept trust")
    first = KnowledgeSearch(sessions, lambda: NOW, snapshot_key=KEY)
    assert "Supplier breakfasts won contractors over" in titles(first, "supplier breakfasts")
    [snapshot] = session.exec(select(SearchSnapshot)).all()
    assert snapshot.team_id == "T1" and snapshot.signature

    # between the processes: one entry added, one deleted
    later = NOW + timedelta(minutes=5)
    lesson(session, "Joint site visits built trust fast", at=later)
    delete_entry(session, entry=gone, actor_id="U1", manager=True, now=later)

    second = KnowledgeSearch(sessions, lambda: later, snapshot_key=KEY)
    index = second.index("T1")
    assert len(index) == len(first.index("T1"))  # loaded, then caught up: same entries
    assert "Joint site visits built trust fast" in titles(second, "joint site visits")
    assert "Quarterly steering walks kept trust" not in titles(second, "steering walks")
    assert kept.title in titles(second, "supplier breakfasts")


def test_a_snapshot_signed_with_another_key_or_tampered_with_is_never_loaded(engine, session):
    sessions = session_factory(engine)
    lesson(session, "Supplier breakfasts won contractors over")
    KnowledgeSearch(sessions, lambda: NOW, snapshot_key=KEY).index("T1")
    row = session.exec(select(SearchSnapshot)).one()
    row.data = row.data[:-1] + bytes([row.data[-1] ^ 1])
    session.add(row)
    session.commit()
    rebuilt = KnowledgeSearch(sessions, lambda: NOW, snapshot_key=KEY)
    assert "Supplier breakfasts won contractors over" in titles(rebuilt, "supplier breakfasts")
    other = KnowledgeSearch(sessions, lambda: NOW, snapshot_key=b"someone else's")
    assert "Supplier breakfasts won contractors over" in titles(other, "supplier breakfasts")


def test_the_snapshot_is_written_again_after_many_changes(engine, session, monkeypatch):
    import knowledge.search as search_module

    monkeypatch.setattr(search_module, "SNAPSHOT_EVERY", 3)
    sessions = session_factory(engine)
    search = KnowledgeSearch(sessions, lambda: NOW, snapshot_key=KEY)
    search.index("T1")
    taken = session.exec(select(SearchSnapshot)).one().seen_until
    for n in range(3):
        lesson(session, f"Lesson number {n}", at=NOW + timedelta(minutes=n + 1))
    search.index("T1")
    session.expire_all()
    assert session.exec(select(SearchSnapshot)).one().seen_until > taken
    assert SNAPSHOT_EVERY >= 1000  # the real threshold: snapshots are not written per save
