"""Search for many councils on one deployment: N workspaces of M entries each, asked questions
from several web processes whose search indexes are held within PARTNERBOT_INDEX_MEMORY_MB.

Seeds N workspaces with M entries each (the synthetic council corpus of search_bench, a
different slice for each), writes each workspace's snapshot as `partnerbot import` leaves it,
then starts P web processes. Each builds its services as `partnerbot serve` does and answers
asks spread over the workspaces as councils' use is: most asks to the busiest fifth, the rest
to any. An ask is "cold" when its workspace's index had to be loaded (from its snapshot) and
"warm" when it was held already. Prints one table: RSS per process, latency p50/p95/p99 for
warm and cold asks, loads, builds and evictions.

    .venv/bin/python benchmarks/scale_bench.py --database "$(scripts/postgres start)"
    .venv/bin/python benchmarks/scale_bench.py --workspaces 100 --entries 2000 --memory-mb 64
"""

import argparse
import multiprocessing
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).parent))
from corpus import BENCH_KEY, build_corpus  # noqa: E402
from load_bench import fresh_schema, percentile  # noqa: E402

from bot.settings import Settings  # noqa: E402

QUESTIONS = [
    "what derails a partnrship",
    "supplier days",
    "governance",
    "exit strategy",
    "trust between partners",
    "risk register",
    "how do we keep the board engaged",
    "retrofit supply chain",
]


def team(number: int) -> str:
    return f"T{number:05d}SCALE"


def seed(settings: Settings, workspaces: int, entries: int) -> None:
    from storage.db import make_engine, upgrade
    from storage.models import Entry

    engine = make_engine(settings.database_url)
    upgrade(engine)
    corpus = [item for item in build_corpus(entries * 4) if item.kind != "library"]
    for number in range(workspaces):
        offset = (number * 997) % max(1, len(corpus) - entries)
        rows = [
            {
                "team_id": team(number),
                "kind": "brief" if item.kind == "brief" else "lesson",
                "title": item.title,
                "body": item.body,
                "tags": " ".join(item.tags),
                "author_id": "U0SCALESAM",
                "created_at": item.created,
                "updated_at": item.created,
                "changed_at": item.created,
                "private": False,
                "helpful": 0,
                "unhelpful": 0,
                "version": 1,
            }
            for item in corpus[offset : offset + entries]
        ]
        with engine.begin() as connection:
            connection.execute(insert(Entry), rows)
    engine.dispose()


def snapshot(settings: Settings, teams: list[str]) -> None:
    """What `partnerbot import` leaves: each workspace's current snapshot."""
    from bot.services import open_services

    _, services = open_services(settings, migrate=False)
    for team_id in teams:
        services.search.keep(team_id)
        services.search.drop(team_id)


def web(settings: Settings, asks: list[str], results: "multiprocessing.Queue[dict]") -> None:
    from bot.services import open_services
    from knowledge.query import parse_query

    _, services = open_services(settings, migrate=False)
    search = services.search
    warm: list[float] = []
    cold: list[float] = []
    rng = random.Random(os.getpid())
    for team_id in asks:
        loads = search.figures().loads
        started = time.perf_counter()
        search.search(
            team_id=team_id,
            query=parse_query(rng.choice(QUESTIONS)),
            channel_id=None,
            now=services.clock(),
        )
        took = time.perf_counter() - started
        (cold if search.figures().loads > loads else warm).append(took)
    figures = search.figures()
    status = Path("/proc/self/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    results.put(
        {
            "warm": warm,
            "cold": cold,
            "rss_mb": rss / 1024,
            "loads": figures.loads,
            "builds": figures.builds,
            "evictions": figures.evictions,
            "held_mb": figures.bytes / 2**20,
        }
    )


def scale(
    settings: Settings, *, workspaces: int, entries: int, processes: int, asks: int
) -> list[dict]:
    """Seed, snapshot and ask; what each web process measured."""
    teams = [team(n) for n in range(workspaces)]
    started = time.perf_counter()
    seed(settings, workspaces, entries)
    print(f"seeded {len(teams) * entries:,} entries in {time.perf_counter() - started:.0f} s")
    started = time.perf_counter()
    # fresh processes, as serve's are: none inherits (and counts) the benchmark's memory
    context = multiprocessing.get_context("spawn")
    builders = [
        context.Process(target=snapshot, args=(settings, teams[n::processes]))
        for n in range(processes)
    ]
    for builder in builders:
        builder.start()
    for builder in builders:
        builder.join()
    print(f"snapshots written in {time.perf_counter() - started:.0f} s", flush=True)

    busiest = teams[: max(1, len(teams) // 5)]
    rng = random.Random(2026)
    results: multiprocessing.Queue[dict] = context.Queue()
    webs = []
    for _ in range(processes):
        chosen = [
            rng.choice(busiest) if rng.random() < 0.8 else rng.choice(teams) for _ in range(asks)
        ]
        webs.append(context.Process(target=web, args=(settings, chosen, results)))
    for process in webs:
        process.start()
    found = [results.get() for _ in webs]
    for process in webs:
        process.join()
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workspaces", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=2000, help="entries per workspace")
    parser.add_argument("--processes", type=int, default=2, help="web processes")
    parser.add_argument("--asks", type=int, default=2000, help="asks per process")
    parser.add_argument("--memory-mb", type=int, default=256, help="PARTNERBOT_INDEX_MEMORY_MB")
    parser.add_argument("--database", default="", help="a PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()
    if args.database:
        database, name = fresh_schema(args.database), "PostgreSQL"
    else:
        database, name = f"sqlite:///{tempfile.mkdtemp()}/scale.db", "SQLite"
    settings = Settings(
        _env_file=None,
        database_url=database,
        partnerbot_secret_key=BENCH_KEY,
        partnerbot_index_memory_mb=args.memory_mb,
    )
    found = scale(
        settings,
        workspaces=args.workspaces,
        entries=args.entries,
        processes=args.processes,
        asks=args.asks,
    )
    warm = [t for f in found for t in f["warm"]]
    cold = [t for f in found for t in f["cold"]]

    def ms(values: list[float], p: float) -> str:
        return f"{percentile(values, p) * 1000:.0f}" if values else "-"

    rss = ", ".join(f"{f['rss_mb']:.0f}" for f in found)
    held = ", ".join(f"{f['held_mb']:.0f}" for f in found)
    print(
        f"{args.workspaces:,} workspaces × {args.entries:,} entries, {name}, "
        f"{args.processes} web processes × {args.asks:,} asks (80% to the busiest fifth), "
        f"PARTNERBOT_INDEX_MEMORY_MB={args.memory_mb}"
    )
    print(
        "| database | workspaces | entries each | index memory MB | RSS per process MB "
        "| indexes held MB | warm asks | warm p50/p95/p99 ms | cold asks | cold p50/p95/p99 ms "
        "| loads | builds | evictions |"
    )
    print("| --- | ---: | ---: | ---: | --- | --- | ---: | --- | ---: | --- | ---: | ---: | ---: |")
    print(
        f"| {name} | {args.workspaces:,} | {args.entries:,} | {args.memory_mb} "
        f"| {rss} | {held} "
        f"| {len(warm):,} | {ms(warm, 50)} / {ms(warm, 95)} / {ms(warm, 99)} "
        f"| {len(cold):,} | {ms(cold, 50)} / {ms(cold, 95)} / {ms(cold, 99)} "
        f"| {sum(f['loads'] for f in found):,} | {sum(f['builds'] for f in found):,} "
        f"| {sum(f['evictions'] for f in found):,} |"
    )


if __name__ == "__main__":
    main()
