"""Search ready at start: the first `/partners ask` after `partnerbot serve` starts, end to end
(signed command in, the answer received at Slack's response_url), with 100,000 entries.

Seeds a database with N entries (the synthetic council corpus of search_bench) and, as
`partnerbot import` does after a bulk load, writes the workspace's search snapshot; starts serve
and asks at once (the index loads from the snapshot: nothing is built). With `--no-snapshot`,
the first start builds the index instead (what an import did before it left a snapshot). Then 200 asks one after another (steady state), the memory of each process, and
`partnerbot search` in a cold process.

    .venv/bin/python benchmarks/start_bench.py [--entries 100000] [--database URL]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).parent))
from corpus import BENCH_KEY, build_corpus  # noqa: E402
from load_bench import Server, fresh_schema, peak_memory_mb, percentile  # noqa: E402

from bot.driver import SlackDriver  # noqa: E402
from bot.emulator import Emulator  # noqa: E402
from storage.db import make_engine, upgrade  # noqa: E402
from storage.models import Entry  # noqa: E402


def seed(database: str, team_id: str, entries: int) -> None:
    engine = make_engine(database)
    upgrade(engine)
    rows = [
        {
            "team_id": team_id,
            "kind": "brief" if item.kind == "brief" else "lesson",
            "title": item.title,
            "body": item.body,
            "tags": " ".join(item.tags),
            "author_id": "U0SHELLSAM",
            "created_at": item.created,
            "updated_at": item.created,
            "changed_at": item.created,
            "private": False,
            "helpful": 0,
            "unhelpful": 0,
            "version": 1,
        }
        for item in build_corpus(entries)
        if item.kind != "library"
    ]
    with engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            connection.execute(insert(Entry), rows[start : start + 5000])
    engine.dispose()


def keep_snapshot(database: str, team_id: str) -> None:
    """As `partnerbot import` ends: the workspace's index built and its snapshot written."""
    from bot.services import open_services
    from bot.settings import Settings

    settings = Settings(_env_file=None, database_url=database, partnerbot_secret_key=BENCH_KEY)
    _, services = open_services(settings, migrate=False)
    services.search.keep(team_id)


def ask(driver: SlackDriver, emulator: Emulator, text: str, user: str, channel: str) -> float:
    """Seconds from sending the command to its answer reaching Slack."""
    before = len(emulator.calls_to("response_url"))
    started = time.perf_counter()
    reply = driver.command(text, user=user, channel=channel)
    assert reply.status == 200
    while len(emulator.calls_to("response_url")) == before:
        if time.perf_counter() - started > 60:
            raise SystemExit("no answer within a minute")
        time.sleep(0.002)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--database", default="", help="a PostgreSQL URL (default: SQLite)")
    parser.add_argument("--no-snapshot", action="store_true", help="seed without the snapshot")
    args = parser.parse_args()
    emulator = Emulator().start()
    ws = emulator.workspace
    sam = ws.user_named("sam").id  # type: ignore[union-attr]
    general = ws.channel_named("general").id  # type: ignore[union-attr]
    if args.database:
        database, name = fresh_schema(args.database), "PostgreSQL"
    else:
        database, name = f"sqlite:///{Path(tempfile.mkdtemp()) / 'start.db'}", "SQLite"
    started = time.perf_counter()
    seed(database, ws.team_id, args.entries)
    print(f"seeded {args.entries:,} entries in {time.perf_counter() - started:.0f} s", flush=True)
    kept = 0.0
    if not args.no_snapshot:  # what `partnerbot import` leaves
        started = time.perf_counter()
        keep_snapshot(database, ws.team_id)
        kept = time.perf_counter() - started
        print(f"snapshot written in {kept:.0f} s", flush=True)

    started = time.perf_counter()
    server = Server(emulator, database, workers=1, threads=8)
    up = time.perf_counter() - started
    driver = SlackDriver(emulator, server.base + "/slack/events", server.secret)
    first = ask(driver, emulator, "ask what derails a partnrship", sam, general)
    steady = [
        ask(driver, emulator, f"ask {q}", sam, general)
        for q in ["supplier days", "governance", "exit strategy", "trust", "risk register"] * 40
    ]
    memory = peak_memory_mb(server.process.pid)
    server.stop()

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PARTNERBOT_"))}
    env["PARTNERBOT_SECRET_KEY"] = BENCH_KEY
    env.update(DATABASE_URL=database, SLACK_SIGNING_SECRET=server.secret)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "search", "trust", "--team", ws.team_id],
        env=env,
        check=True,
        capture_output=True,
    )
    cli = time.perf_counter() - started
    emulator.stop()

    print(
        "| database | entries | snapshot after import s | serve start to healthy s "
        "| first ask after start ms | steady p50 ms | steady p95 ms "
        "| peak memory per process MB | `partnerbot search`, cold process s |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    print(
        f"| {name} | {args.entries:,} | {kept:.0f} | {up:.1f} | {first * 1000:.0f} "
        f"| {percentile(steady, 50) * 1000:.0f} | {percentile(steady, 95) * 1000:.0f} "
        f"| {', '.join(f'{m:.0f}' for m in memory)} | {cli:.2f} |"
    )


if __name__ == "__main__":
    main()
