"""A process holds search indexes within PARTNERBOT_INDEX_MEMORY_MB: an index measures what it
holds, the least recently searched workspace is let go past the ceiling and loaded again from
its snapshot (with what changed meanwhile), and a workspace is never built twice at once."""

import gc
import random
import threading
import tracemalloc
from datetime import UTC, datetime

import pytest

from knowledge.documents import Document
from knowledge.entries import LESSON, Draft, save_entry
from knowledge.index import SearchIndex
from knowledge.query import parse_query
from knowledge.search import KnowledgeSearch
from knowledge.snapshots import Snapshot, decode, encode
from storage.db import session_factory
from storage.keyring import Keyring

NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
KEY = Keyring(("the deployment's own key, 32 characters or more",))
WORDS = [
    "retrofit",
    "insulation",
    "boiler",
    "grant",
    "survey",
    "tenant",
    "landlord",
    "partnership",
    "board",
    "steering",
    "contractor",
    "supplier",
    "procurement",
    "warmth",
    "energy",
    "heat",
    "pump",
    "damp",
    "mould",
    "loft",
    "cavity",
    "solar",
    "meeting",
    "minutes",
    "agreement",
    "review",
    "lesson",
    "briefing",
    "council",
    "ward",
    "resident",
    "funding",
    "bid",
]


def documents(count: int, seed: int = 7) -> list[Document]:
    rng = random.Random(seed)
    made = []
    for number in range(count):
        # made-up names too, so the vocabulary grows as a council's does
        names = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(3))]
        body = " ".join(rng.choice(WORDS + names) for _ in range(rng.randint(20, 60)))
        made.append(
            Document(
                entry_id=number,
                kind="lesson",
                title=" ".join(rng.choice(WORDS) for _ in range(5)),
                text=body,
                tags=(rng.choice(WORDS),),
                created=NOW,
            )
        )
    return made


def traced(make) -> tuple[object, int]:
    gc.collect()
    tracemalloc.start()
    try:
        made = make()
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return made, held


@pytest.mark.parametrize("count", [300, 3000])
def test_an_index_knows_its_own_size_within_a_fifth(count):
    docs = documents(count)
    SearchIndex().add_all(documents(2, seed=1))  # the meaning model loads once per process

    def build() -> SearchIndex:
        index = SearchIndex()
        index.add_all(docs)
        return index

    built, held = traced(build)
    assert isinstance(built, SearchIndex)
    assert 0.8 * held <= built.footprint() <= 1.2 * held, (built.footprint(), held)

    data = encode(Snapshot(built, {}, NOW))
    # as a process loads it: the bytes read from the database, which the index then lies in
    (restored, _), held = traced(lambda: decode(bytes(memoryview(data))))
    assert 0.8 * held <= restored.footprint() <= 1.2 * held, (restored.footprint(), held)


def lessons(session, team_id: str, count: int, word: str) -> None:
    for number in range(count):
        save_entry(
            session,
            team_id=team_id,
            draft=Draft(
                kind=LESSON,
                title=f"{word} lesson {number}",
                body=f"What {team_id} learnt about {word}: " + " ".join(WORDS[number % 9 :]),
            ),
            author_id="U1",
            channel_id=None,
            now=NOW,
        )


def found(search: KnowledgeSearch, team_id: str, text: str) -> int:
    return search.search(team_id=team_id, query=parse_query(text), channel_id=None, now=NOW).total


def test_past_the_ceiling_the_least_recent_index_goes_and_comes_back_from_its_snapshot(
    engine, session
):
    teams = [f"T{n}" for n in range(6)]
    for team_id in teams:
        lessons(session, team_id, 40, f"word{team_id.lower()}")
    search = KnowledgeSearch(session_factory(engine), lambda: NOW, keyring=KEY, memory_mb=1)
    one = search.index("T0").footprint()
    assert 0 < one < 1024 * 1024 < 6 * one  # the six do not fit, one does

    for team_id in teams:
        assert found(search, team_id, f"word{team_id.lower()}") == 40
    figures = search.figures()
    assert figures.builds == 6 and figures.loads == 0
    assert figures.evictions >= 1
    assert figures.bytes <= figures.limit == 1024 * 1024
    assert figures.workspaces < 6

    # T0 went first; a lesson saved there meanwhile is found when it comes back from its snapshot
    lessons(session, "T0", 1, "wordlater")
    assert found(search, "T0", "wordlater") == 1
    assert found(search, "T0", "wordt0") == 40
    again = search.figures()
    assert again.builds == 6 and again.loads == 1
    assert again.bytes <= again.limit
    # a workspace is never seen by another's search
    assert found(search, "T1", "wordt0") == 0


def test_memory_of_evicted_indexes_is_handed_back_every_so_many_megabytes(
    engine, session, monkeypatch
):
    import knowledge.search as search_module
    from knowledge.postings import give_back_memory

    assert give_back_memory()  # glibc here (and in the container): malloc_trim ran
    given: list[int] = []
    monkeypatch.setattr(search_module, "give_back_memory", lambda: given.append(1))
    monkeypatch.setattr(search_module, "GIVE_BACK_EVERY", 1)  # every eviction, for the test
    for team_id in ("T0", "T1", "T2"):
        lessons(session, team_id, 40, f"word{team_id.lower()}")
    search = KnowledgeSearch(session_factory(engine), lambda: NOW, keyring=KEY, memory_mb=0)
    for team_id in ("T0", "T1", "T2"):
        assert found(search, team_id, f"word{team_id.lower()}") == 40
    assert search.figures().evictions == 2 and len(given) == 2

    monkeypatch.setattr(search_module, "GIVE_BACK_EVERY", 2**40)  # never reached: not called
    assert found(search, "T0", "wordt0") == 40
    assert search.figures().evictions == 3 and len(given) == 2


def test_the_most_recent_index_stays_even_when_it_alone_is_past_the_ceiling(engine, session):
    lessons(session, "T1", 40, "zalonqx")
    search = KnowledgeSearch(session_factory(engine), lambda: NOW, keyring=KEY, memory_mb=0)
    assert found(search, "T1", "zalonqx") == 40
    assert found(search, "T1", "zalonqx") == 40
    figures = search.figures()
    assert figures.workspaces == 1 and figures.builds == 1 and figures.evictions == 0


def test_a_workspace_asked_for_by_many_threads_at_once_is_built_once(engine, session):
    lessons(session, "T1", 30, "togqxr")
    search = KnowledgeSearch(session_factory(engine), lambda: NOW, keyring=KEY)
    start = threading.Barrier(8)
    totals: list[int] = []

    def ask() -> None:
        start.wait()
        totals.append(found(search, "T1", "togqxr"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert totals == [30] * 8
    assert search.figures().builds == 1


def test_a_changed_index_measures_itself_again(engine, session):
    lessons(session, "T1", 5, "growqx")
    search = KnowledgeSearch(session_factory(engine), lambda: NOW, keyring=KEY)
    before = search.figures().bytes if search.index("T1") else 0
    lessons(session, "T1", 200, "growqx")
    search.index("T1")
    assert search.figures().bytes > before
