"""Search quality and speed: partnerbot against a BM25 baseline and SQLite FTS5, same corpus.

For corpora of 1k, 10k and 100k entries (the curated library plus synthetic council notes, see
corpus.py) and the labelled queries in queries.yaml (clean, misspelled, paraphrased), prints one
table: index build time and memory, p50/p95 query latency, and recall@5 and MRR per query group.

    .venv/bin/pip install -e ".[bench]"
    .venv/bin/python benchmarks/search_bench.py [--sizes 1000 10000 100000]
"""

import argparse
import functools
import gc
import os
import sqlite3
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import yaml
from rank_bm25 import BM25Okapi

sys.path.insert(0, str(Path(__file__).parent))
from corpus import Item, build_corpus  # noqa: E402

from knowledge import ranking, semantic  # noqa: E402
from knowledge.index import Document, Filters, SearchIndex  # noqa: E402
from knowledge.query import parse_query  # noqa: E402
from knowledge.ranking import rank  # noqa: E402
from knowledge.text import STOP_WORDS, terms, words  # noqa: E402

GROUPS = ("clean", "misspelled", "paraphrased", "plain")
NOW = datetime(2026, 11, 23, tzinfo=UTC)
Search = Callable[[str], list[str]]
MEANING = (ranking.MEANING_SHARE, ranking.MEANING_SURE)  # the release's, before any run
MISSES: list[str] | None = None  # with --misses: the plain questions partnerbot missed


Queries = dict[str, list[tuple[str, set[str]]]]
SETS = {"tuning": "queries.yaml", "held-out": "queries_held_out.yaml"}


def load_queries(name: str = "queries.yaml") -> Queries:
    data = yaml.safe_load((Path(__file__).parent / name).read_text())
    return {group: [(q["q"], set(q["relevant"])) for q in data[group]] for group in GROUPS}


def measure_build(build: Callable[[], Search]) -> tuple[Search, float, float]:
    """Build twice: once timed, once under tracemalloc (which slows allocation) for memory."""
    gc.collect()
    tracemalloc.start()
    kept = build()
    memory = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    del kept
    gc.collect()
    started = time.perf_counter()
    search = build()
    return search, time.perf_counter() - started, memory


def partnerbot(corpus: list[Item], *, meaning: bool = True) -> Search:
    index = SearchIndex()
    index.add_all(
        [
            Document(
                entry_id=number,
                kind=item.kind,
                title=item.title,
                text=item.body,
                tags=item.tags,
                created=item.created,
            )
            for number, item in enumerate(corpus)
        ]
    )
    share = MEANING[0] if meaning else 0.0
    sure = MEANING[1] if meaning else float("inf")

    def search(text: str) -> list[str]:
        ranking.MEANING_SHARE, ranking.MEANING_SURE = share, sure
        # Cold: every query pays for its own typo expansion, as a new question would.
        index.vocabulary._expansions.clear()
        query = parse_query(text)
        ranked = rank(index, query, Filters(), NOW)[:5]
        # the bold words of each snippet, as a real search does
        index.matched([slot for slot, _ in ranked], list(query.words))
        return [corpus[index.entry_of(slot)].key for slot, _ in ranked]

    return search


def bm25(corpus: list[Item]) -> Search:
    model = BM25Okapi([terms(f"{i.title} {' '.join(i.tags)} {i.body}") for i in corpus])

    def search(text: str) -> list[str]:
        scores = model.get_scores(terms(text))
        top = np.argsort(-scores)[:5]
        return [corpus[i].key for i in top if scores[i] > 0]

    return search


def fts5(corpus: list[Item]) -> tuple[Search, sqlite3.Connection]:
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(key UNINDEXED, title, tags, body, "
        "tokenize='porter unicode61')"
    )
    db.executemany(
        "INSERT INTO docs VALUES (?, ?, ?, ?)",
        ((i.key, i.title, " ".join(i.tags), i.body) for i in corpus),
    )
    db.commit()

    def search(text: str) -> list[str]:
        wanted = [w for w in words(text) if w not in STOP_WORDS and w.isalnum()]
        if not wanted:
            return []
        match = " OR ".join(f'"{w}"' for w in wanted)
        rows = db.execute(
            "SELECT key FROM docs WHERE docs MATCH ? "
            "ORDER BY bm25(docs, 0.0, 3.0, 2.0, 1.0) LIMIT 5",
            (match,),
        )
        return [key for (key,) in rows]

    return search, db


def through_the_database(
    corpus: list[Item], queries: dict[str, list[tuple[str, set[str]]]]
) -> None:
    """The production path: entries in SQLite, the first search builds the workspace's index
    from the database, later ones catch up with changes first."""
    import tempfile

    from sqlalchemy import insert

    from knowledge.search import KnowledgeSearch
    from storage.db import make_engine, session_factory, upgrade
    from storage.models import Entry

    folder = tempfile.mkdtemp()
    engine = make_engine(f"sqlite:///{folder}/bench.db")
    upgrade(engine)
    rows = [
        {
            "team_id": "T0BENCH",
            "kind": i.kind if i.kind != "library" else "lesson",
            "title": i.title,
            "body": i.body,
            "tags": " ".join(i.tags),
            "author_id": "U0BENCH",
            "created_at": i.created,
            "updated_at": i.created,
            "changed_at": i.created,
            "private": False,
            "helpful": 0,
            "unhelpful": 0,
            "version": 1,
        }
        for i in corpus
        if i.kind != "library"
    ]
    with engine.begin() as connection:
        connection.execute(insert(Entry), rows)
    search = KnowledgeSearch(session_factory(engine), clock=lambda: NOW)
    started = time.perf_counter()
    search.index("T0BENCH")  # syncs the library too, as a workspace's first search does
    first = time.perf_counter() - started
    latencies = []
    for items in queries.values():
        for text, _ in items:
            search.index("T0BENCH").vocabulary._expansions.clear()
            started = time.perf_counter()
            search.search(team_id="T0BENCH", query=parse_query(text), channel_id=None, now=NOW)
            latencies.append((time.perf_counter() - started) * 1000)
    ordered = sorted(latencies)
    print(
        f"\nThrough the database (SQLite, {len(corpus):,} entries): first search, building "
        f"the index, {first:.1f} s; then p50 {statistics.median(ordered):.1f} ms, p95 "
        f"{ordered[round(0.95 * (len(ordered) - 1))]:.1f} ms per search (catching up with "
        "changes included)."
    )


def evaluate(
    search: Search, queries: dict[str, list[tuple[str, set[str]]]], repeats: int
) -> dict[str, float]:
    latencies: list[float] = []
    result: dict[str, float] = {}
    for group, items in queries.items():
        recalls, reciprocal, top3 = [], [], []
        for text, relevant in items:
            for _ in range(repeats):
                started = time.perf_counter()
                found = search(text)
                latencies.append((time.perf_counter() - started) * 1000)
            recalls.append(len(relevant & set(found[:5])) / min(len(relevant), 5))
            top3.append(1.0 if relevant & set(found[:3]) else 0.0)
            if MISSES is not None and (
                (group == "plain" and top3[-1] == 0.0) or (group != "plain" and recalls[-1] < 1)
            ):
                MISSES.append(f"{group} {text!r}: got {found[:5]}")
            rank_of = next((n for n, key in enumerate(found[:5], 1) if key in relevant), None)
            reciprocal.append(1 / rank_of if rank_of else 0.0)
        result[f"r5 {group}"] = statistics.mean(recalls)
        result[f"mrr {group}"] = statistics.mean(reciprocal)
        result[f"top3 {group}"] = statistics.mean(top3)
    ordered = sorted(latencies)
    result["p50"] = statistics.median(ordered)
    result["p95"] = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--dimensions",
        type=int,
        default=semantic.DIMENSIONS,
        choices=(64, 128, 256),
        help="the meaning vectors' truncation (default: the release's)",
    )
    parser.add_argument(
        "--sets", nargs="+", default=list(SETS), choices=list(SETS), help="which query sets"
    )
    parser.add_argument(
        "--no-database",
        dest="database",
        action="store_false",
        help="skip the run through SQLite at the largest size",
    )
    parser.add_argument("--misses", action="store_true", help="list partnerbot's misses")
    args = parser.parse_args()
    global MISSES
    semantic.DIMENSIONS = args.dimensions
    query_sets = {name: load_queries(SETS[name]) for name in args.sets}
    for name, queries in query_sets.items():
        counts = ", ".join(f"{len(v)} {k}" for k, v in queries.items())
        print(f"{name} set ({SETS[name]}): {counts}.")
    print(
        f"Machine: {os.cpu_count()} cores. Meaning vectors: {args.dimensions} dimensions. "
        f"Latency over {args.repeats} runs of each query; memory is what building the index "
        "allocated (FTS5: the database's pages). The held-out set is never tuned on.\n"
    )
    header = (
        "| entries | engine | set | build s | memory MB | p50 ms | p95 ms | R@5 clean | "
        "R@5 misspelled | R@5 paraphrased | MRR clean | MRR misspelled | MRR paraphrased | "
        "plain: right entry in top 3 |"
    )
    print(header)
    print("|" + " --- |" * 3 + " ---: |" * 11)
    for size in args.sizes:
        corpus = build_corpus(size)
        engines: list[tuple[str, Search, float, float]] = []
        builders: tuple[tuple[str, Callable[[list[Item]], Search]], ...] = (
            ("partnerbot (hybrid)", partnerbot),
            ("partnerbot, words only", functools.partial(partnerbot, meaning=False)),
            ("BM25 (rank_bm25)", bm25),
        )
        for name, builder in builders:
            search, seconds, memory = measure_build(lambda b=builder, c=corpus: b(c))
            engines.append((name, search, seconds, memory))
        started = time.perf_counter()
        fts_search, db = fts5(corpus)
        fts_seconds = time.perf_counter() - started
        pages = (
            db.execute("PRAGMA page_count").fetchone()[0]
            * db.execute("PRAGMA page_size").fetchone()[0]
        )
        engines.append(("SQLite FTS5", fts_search, fts_seconds, pages / 2**20))
        for name, search, seconds, memory in engines:
            for set_name, queries in query_sets.items():
                MISSES = [] if args.misses and name.startswith("partnerbot (") else None
                repeats = args.repeats if name != "BM25 (rank_bm25)" or size <= 10_000 else 1
                m = evaluate(search, queries, repeats)
                print(
                    f"| {size:,} | {name} | {set_name} | {seconds:.2f} | {memory:.0f} | "
                    f"{m['p50']:.1f} | {m['p95']:.1f} | {m['r5 clean']:.2f} | "
                    f"{m['r5 misspelled']:.2f} | {m['r5 paraphrased']:.2f} | "
                    f"{m['mrr clean']:.2f} | {m['mrr misspelled']:.2f} | "
                    f"{m['mrr paraphrased']:.2f} | {m['top3 plain']:.0%} |",
                    flush=True,
                )
                for miss in MISSES or []:
                    print(f"    missed {miss}")
        db.close()
    if args.database:
        through_the_database(
            build_corpus(args.sizes[-1]),
            {f"{k} {g}": v for k, q in query_sets.items() for g, v in q.items()},
        )


if __name__ == "__main__":
    main()
