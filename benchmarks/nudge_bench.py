"""Sending a burst of nudges: 10,000 commitments due at the same instant, across 500 people.

Records the commitments in an SQLite database, then runs two sender processes at once (as two
`partnerbot worker`s would) against the local Slack emulator with its per-channel rate limit on
(a second message to a channel within a second gets 429 + Retry-After, which slack_sdk's retry
handler waits out). Prints one table: time until every nudge is sent, nudges per second, 429s
met, duplicates (DMs sent twice, must be 0), nudges not sent, and each sender's peak memory.

    .venv/bin/python benchmarks/nudge_bench.py [--commitments 10000] [--people 500]
    .venv/bin/python benchmarks/nudge_bench.py --database "$(scripts/postgres start)"

The 09:30 burst across many workspaces installed by OAuth (1,000 × 50 by default, Slack answering
every call in 100 ms, a sender killed with --kill-after) is benchmarks/burst_bench.py; with
`--workspaces N` this script runs that instead:

    .venv/bin/python benchmarks/nudge_bench.py --workspaces 1000 --database "$(scripts/postgres start)"
"""

import argparse
import multiprocessing
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from load_bench import own_peak_mb  # noqa: E402

from bot.emulator import Emulator, User, demo_workspace  # noqa: E402
from bot.settings import Settings  # noqa: E402

DUE = date(2026, 12, 11)  # a Friday
RECORDED = datetime(2026, 12, 11, 8, 0, tzinfo=UTC)  # before the 09:30 reminders
SEND_AT = datetime(2026, 12, 11, 9, 31, tzinfo=UTC)


def record(database_url: str, commitments: int, people: list[str]) -> None:
    from knowledge.commitments import Owner, record_commitment
    from storage.db import make_engine, session_factory, upgrade

    engine = make_engine(database_url)
    upgrade(engine)
    sessions = session_factory(engine)
    with sessions() as session:
        for number in range(commitments):
            record_commitment(
                session,
                team_id="T0SHELL",
                created_by=people[0],
                creator_tz="Europe/London",
                channel_id="C0SHELLGENERAL",
                owners=[Owner(people[number % len(people)], "Europe/London")],
                action=f"Task {number}",
                due=DUE,
                now=RECORDED,
            )


def sender(settings: Settings, results: "multiprocessing.Queue[tuple[int, int]]") -> None:
    from bot.nudging import send_due_nudges
    from bot.scheduler import scheduler_client
    from bot.services import open_services

    _, services = open_services(settings)
    client = scheduler_client(settings)
    sent = 0
    while True:  # as the scheduler would, run after run, until nothing is due
        batch = send_due_nudges(services, client, SEND_AT)
        sent += len(batch)
        if not batch:
            break
    results.put((sent, round(own_peak_mb())))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commitments", type=int, default=10_000)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--senders", type=int, default=2)
    parser.add_argument("--database", default="", help="a PostgreSQL URL (default: SQLite)")
    parser.add_argument("--workspaces", type=int, help="the burst across workspaces instead")
    args, rest = parser.parse_known_args()
    if args.workspaces:
        import burst_bench

        sys.argv = [
            sys.argv[0],
            "--workspaces",
            str(args.workspaces),
            "--senders",
            str(args.senders),
        ]
        sys.argv += ["--database", args.database] if args.database else []
        burst_bench.main()
        return
    if rest:
        parser.error(f"unrecognised arguments: {' '.join(rest)}")

    workspace = demo_workspace()
    people = [
        workspace.add_user(
            User(id=f"U0BENCH{n:04d}", name=f"officer{n}", real_name=f"Officer {n}")
        ).id
        for n in range(args.people)
    ]
    emulator = Emulator(workspace).start()
    emulator.limit_per_channel(1.0)
    if args.database:
        from load_bench import fresh_schema

        database, name = fresh_schema(args.database), "PostgreSQL"
    else:
        database, name = f"sqlite:///{tempfile.mkdtemp()}/nudges.db", "SQLite"
    settings = Settings(
        _env_file=None,
        database_url=database,
        slack_bot_token=workspace.bot_token,
        slack_api_url=emulator.url,
    )
    started = time.perf_counter()
    record(settings.database_url, args.commitments, people)
    recorded = time.perf_counter() - started

    # fresh processes, as the worker's are: none inherits (and counts) the benchmark's memory
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[tuple[int, int]] = context.Queue()
    processes = [
        context.Process(target=sender, args=(settings, results)) for _ in range(args.senders)
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    outcomes = [results.get() for _ in processes]
    for process in processes:
        process.join()
    seconds = time.perf_counter() - started

    dms = [
        c
        for c in emulator.calls_to("chat.postMessage")
        if c.ok and c.args["channel"].startswith("U0BENCH")
    ]
    limited = len(emulator.calls_to("chat.postMessage", ok=False))
    copies = Counter((c.args["channel"], c.args["text"]) for c in dms)
    duplicates = sum(n - 1 for n in copies.values())
    missing = args.commitments - len(copies)
    emulator.stop()
    print(
        f"{args.commitments:,} commitments due at the same instant, {args.people} people, "
        f"{args.senders} sender processes, {name}, emulator limit 1 message/s per channel "
        f"(recording them took {recorded:.1f} s)"
    )
    floor = args.commitments / args.people  # one message a second into each person's DM
    print(
        "| database | nudges sent | seconds | rate-limit floor s | nudges/s | 429s waited out "
        "| duplicates | not sent | peak memory per sender MB |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {name} | {len(dms):,} | {seconds:.1f} | {floor:.0f} | {len(dms) / seconds:.0f} "
        f"| {limited:,} | {duplicates} | {missing} | {', '.join(str(mb) for _, mb in outcomes)} |"
    )


if __name__ == "__main__":
    main()
