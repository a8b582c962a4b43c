"""Search index snapshots: the next process loads the index instead of building it, catches up
with what changed since; a snapshot is arrays and JSON under a MAC that covers its workspace."""

import json
import pickle
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlmodel import select

from knowledge.documents import Document
from knowledge.entries import LESSON, Draft, delete_entry, save_entry
from knowledge.query import parse_query
from knowledge.search import SNAPSHOT_EVERY, KnowledgeSearch
from knowledge.snapshots import _signed_part, arrays_of, load_snapshot, resign_snapshots
from storage.db import session_factory
from storage.keyring import SNAPSHOTS, Keyring
from storage.models import SearchSnapshot

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
KEY = Keyring(("the deployment's own key, 32 characters or more",))
OTHER = Keyring(("someone else's key, also 32 characters long",))


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
    first = KnowledgeSearch(sessions, lambda: NOW, keyring=KEY)
    assert "Supplier breakfasts won contractors over" in titles(first, "supplier breakfasts")
    [snapshot] = session.exec(select(SearchSnapshot)).all()
    assert snapshot.team_id == "T1" and snapshot.signature

    # between the processes: one entry added, one deleted
    later = NOW + timedelta(minutes=5)
    lesson(session, "Joint site visits built trust fast", at=later)
    delete_entry(session, entry=gone, actor_id="U1", manager=True, now=later)

    second = KnowledgeSearch(sessions, lambda: later, keyring=KEY)
    index = second.index("T1")
    assert len(index) == len(first.index("T1"))  # loaded, then caught up: same entries
    assert "Joint site visits built trust fast" in titles(second, "joint site visits")
    assert "Quarterly steering walks kept trust" not in titles(second, "steering walks")
    assert kept.title in titles(second, "supplier breakfasts")


def test_a_snapshot_signed_with_another_key_or_tampered_with_is_never_loaded(engine, session):
    sessions = session_factory(engine)
    lesson(session, "Supplier breakfasts won contractors over")
    KnowledgeSearch(sessions, lambda: NOW, keyring=KEY).index("T1")
    row = session.exec(select(SearchSnapshot)).one()
    row.data = row.data[:-1] + bytes([row.data[-1] ^ 1])
    session.add(row)
    session.commit()
    rebuilt = KnowledgeSearch(sessions, lambda: NOW, keyring=KEY)
    assert "Supplier breakfasts won contractors over" in titles(rebuilt, "supplier breakfasts")
    other = KnowledgeSearch(sessions, lambda: NOW, keyring=OTHER)
    assert "Supplier breakfasts won contractors over" in titles(other, "supplier breakfasts")


def test_the_snapshot_is_written_again_after_many_changes(engine, session, monkeypatch):
    import knowledge.search as search_module

    monkeypatch.setattr(search_module, "SNAPSHOT_EVERY", 3)
    sessions = session_factory(engine)
    search = KnowledgeSearch(sessions, lambda: NOW, keyring=KEY)
    search.index("T1")
    taken = session.exec(select(SearchSnapshot)).one().seen_until
    for n in range(3):
        lesson(session, f"Lesson number {n}", at=NOW + timedelta(minutes=n + 1))
    search.index("T1")
    session.expire_all()
    assert session.exec(select(SearchSnapshot)).one().seen_until > taken
    assert SNAPSHOT_EVERY >= 1000  # the real threshold: snapshots are not written per save


def test_a_snapshot_copied_into_another_workspace_is_refused(engine, session):
    sessions = session_factory(engine)
    lesson(session, "Supplier breakfasts won contractors over")  # T1's
    KnowledgeSearch(sessions, lambda: NOW, keyring=KEY).index("T1")
    theirs = session.get(SearchSnapshot, "T1")
    # someone who can write the database gives T2 a copy of T1's snapshot, MAC and all
    session.add(
        SearchSnapshot(
            team_id="T2",
            format=theirs.format,
            seen_until=theirs.seen_until,
            taken_at=theirs.taken_at,
            signature=theirs.signature,
            data=theirs.data,
        )
    )
    session.commit()
    assert load_snapshot(session, team_id="T2", keyring=KEY) is None
    assert load_snapshot(session, team_id="T1", keyring=KEY) is not None
    other = KnowledgeSearch(sessions, lambda: NOW, keyring=KEY)
    results = other.search(team_id="T2", query=parse_query("supplier"), channel_id=None, now=NOW)
    assert results.hits == []  # T2 built its own index: T1's lesson is not in it


def test_a_snapshot_is_arrays_and_json_and_nothing_in_it_can_run_code(engine, session):
    sessions = session_factory(engine)
    lesson(session, "Supplier breakfasts won contractors over")
    KnowledgeSearch(sessions, lambda: NOW, keyring=KEY).index("T1")
    row = session.get(SearchSnapshot, "T1")
    values, arrays = arrays_of(row.data)
    assert {a.dtype.kind for a in arrays.values()} <= {"i", "u", "f"}  # numbers only
    assert isinstance(values, dict)  # and the text is one JSON value
    assert b"pickle" not in row.data and not row.data.startswith(b"\x80")

    # a pickle, even one signed with our key as the old format was, is never loaded
    evil = pickle.dumps(_Boom())
    row.data = evil
    row.signature = KEY.sign(SNAPSHOTS, _signed_part("T1", row.seen_until, evil))
    session.add(row)
    session.commit()
    assert load_snapshot(session, team_id="T1", keyring=KEY) is None
    assert not _Boom.ran


def test_bytes_not_laid_out_as_a_snapshot_are_refused_not_read_past_their_end():
    from knowledge.index import SearchIndex
    from knowledge.snapshots import ALIGN, MAGIC, Snapshot, decode, encode

    index = SearchIndex()
    index.add(Document(entry_id=1, kind="lesson", title="Supplier days", text="Trust grew."))
    good = encode(Snapshot(index, {1: 1}, NOW))
    assert len(decode(good)[0]) == 1

    def with_head(change) -> bytes:
        size = int.from_bytes(good[len(MAGIC) : len(MAGIC) + 8], "little")
        head = json.loads(good[len(MAGIC) + 8 : len(MAGIC) + 8 + size])
        change(head)
        text = json.dumps(head).encode()
        return MAGIC + len(text).to_bytes(8, "little") + text + b"\0" * (len(good) + ALIGN)

    def move(head, by):
        head["arrays"]["vectors"][2] += by

    def as_objects(head):
        head["arrays"]["post_slots"][0] = "|O"

    for bad in (
        b"",
        good[:40],  # cut inside the head
        good[: len(good) // 2],  # cut inside the arrays
        b"PK\x03\x04" + good[4:],  # not ours (the old .npz)
        with_head(lambda head: move(head, 4)),  # not aligned
        with_head(lambda head: move(head, 10**9)),  # past the end
        with_head(as_objects),  # objects, which could run code
    ):
        with pytest.raises(ValueError):
            decode(bad)


def test_a_snapshot_survives_a_key_rotation_and_rotate_keys_re_signs_it(engine, session):
    sessions = session_factory(engine)
    lesson(session, "Supplier breakfasts won contractors over")
    KnowledgeSearch(sessions, lambda: NOW, keyring=KEY).index("T1")
    rotated = Keyring((OTHER.keys[0], KEY.keys[0]))  # a new key first, the old one kept
    assert load_snapshot(session, team_id="T1", keyring=rotated) is not None
    assert resign_snapshots(session, rotated) == (1, 0)
    assert load_snapshot(session, team_id="T1", keyring=OTHER) is not None  # the new key alone
    assert load_snapshot(session, team_id="T1", keyring=KEY) is None
    assert resign_snapshots(session, KEY) == (0, 1)  # nothing vouches for it: dropped
    assert session.get(SearchSnapshot, "T1") is None


class _Boom:
    ran = False

    def __reduce__(self):
        return (_mark_ran, ())


def _mark_ran():
    _Boom.ran = True
    return None


def test_an_index_read_back_from_its_snapshot_answers_exactly_as_it_did():
    from knowledge.index import Document, Filters, SearchIndex
    from knowledge.snapshots import Snapshot, decode, encode

    index = SearchIndex()
    for n in range(30):
        index.add(
            Document(
                entry_id=n,
                kind=("lesson", "brief", "library")[n % 3],
                title=f"Supplier breakfast number {n}",
                text="Contractors came to the governance board; trust grew." * (n % 4 + 1),
                tags=("supply-chain",) if n % 2 else (),
                created=NOW,
                author_id=f"U{n % 5}",
                private_channel="CPRIV" if n % 7 == 0 else None,
                channel=f"C{n % 3}",
            )
        )
    for gone in (3, 4, 5):
        index.remove(gone)
    copy, versions = decode(encode(Snapshot(index, {1: 2, 7: 1}, NOW)))
    assert versions == {1: 2, 7: 1} and len(copy) == len(index)
    for words, filters in (
        (["supplier", "goverance"], Filters()),
        (["contractors"], Filters(channel_id="CPRIV", tags=("supply-chain",))),
        (["trust"], Filters(channel_id="C1", only_this_channel=True)),
    ):
        mine, theirs = index.score(words, filters), copy.score(words, filters)
        assert mine.slots.tolist() == theirs.slots.tolist()
        assert np.allclose(mine.scores, theirs.scores)
    # the meaning side too: the vectors come back, with the workspace's mean
    question = np.ones(index._vectors.dimensions, dtype=np.float32)
    question /= np.linalg.norm(question)
    for filters in (Filters(), Filters(channel_id="CPRIV")):
        mine, theirs = index.likeness(question, filters), copy.likeness(question, filters)
        assert mine[0].tolist() == theirs[0].tolist()
        assert np.allclose(mine[1], theirs[1], atol=2e-3)  # kept in half precision
