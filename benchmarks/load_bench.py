"""Open-loop load on `partnerbot serve`: signed slash commands at a fixed rate, as people use them,
with Slack's Web API answering every call slowly.

Requests are sent on a clock (a fixed rate, not a fixed number of clients), so a slow answer
never slows the arrivals. The mix: help, ask, lesson, and commit with two owners. After the run
the bench waits for the bot to finish its work, then checks every write landed exactly once and
every reply reached Slack, and prints one table row per rate.

    .venv/bin/python benchmarks/load_bench.py                      # SQLite, 1 worker, 10/s
    .venv/bin/python benchmarks/load_bench.py --workers 4 --rate 30 \\
        --database "$(scripts/postgres start)"                      # PostgreSQL, 4 workers
    .venv/bin/python benchmarks/load_bench.py --rates 10,20,40       # several rates, one server
"""

import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ack_bench import free_port, percentile
from corpus import BENCH_KEY
from sqlalchemy import create_engine, make_url, text

from bot.driver import SlackDriver
from bot.emulator import Emulator

MIX = ["help", "ask", "lesson", "commit", "help", "ask", "lesson", "ask", "help", "commit"]


def fresh_schema(url: str) -> str:
    """A PostgreSQL URL on a new, empty schema (so runs never see each other's rows)."""
    schema = f"bench_{os.getpid()}_{int(time.time())}"
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    parsed = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return parsed.render_as_string(hide_password=False)


def peak_memory_mb(pid: int) -> list[float]:
    """Peak resident memory (VmHWM) of a process and its children, in MB."""
    found = []
    for candidate in [pid, *children(pid)]:
        try:
            status = Path(f"/proc/{candidate}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                found.append(int(line.split()[1]) / 1024)
    return found


def own_peak_mb() -> float:
    """This process's own peak resident memory (VmHWM), in MB. Not getrusage's ru_maxrss: Linux
    carries that across fork and exec, so a sender started late by a benchmark whose parent has
    grown (an emulator holding 50,000 recorded calls) reports the parent's size as its own."""
    status = Path("/proc/self/status").read_text()
    return (
        next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
        / 1024
    )


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Server:
    def __init__(self, emulator: Emulator, database: str, workers: int, threads: int) -> None:
        self.secret, port = "load-bench-signing-secret", free_port()
        self.folder = tempfile.mkdtemp()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PARTNERBOT_"))}
        env["PARTNERBOT_SECRET_KEY"] = BENCH_KEY
        env.update(
            SLACK_BOT_TOKEN=emulator.workspace.bot_token,
            SLACK_SIGNING_SECRET=self.secret,
            SLACK_API_URL=emulator.url,
            DATABASE_URL=database,
            PARTNERBOT_SCHEDULER="off",
            WEB_CONCURRENCY=str(workers),
            PARTNERBOT_THREADS=str(threads),
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
            env=env,
            cwd=self.folder,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("serve did not start") from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def run_rate(
    driver: SlackDriver,
    emulator: Emulator,
    database: str,
    rate: float,
    seconds: float,
    counter: "itertools.count[int]",
    server: Server,
) -> dict[str, object]:
    ws = emulator.workspace
    sam, priya = ws.user_named("sam").id, ws.user_named("priya").id  # type: ignore[union-attr]
    channel = ws.channel_named("general").id  # type: ignore[union-attr]
    acks: list[float] = []
    statuses: list[int] = []
    wrote = {"lesson": [], "commit": []}  # type: dict[str, list[str]]
    lock = threading.Lock()
    replies_before = len(emulator.calls_to("response_url"))

    def one(kind: str, n: int) -> None:
        if kind == "help":
            words = "help"
        elif kind == "ask":
            words = "ask what derails a partnrship"
        elif kind == "lesson":
            words = f"lesson Load lesson {n} supplier days won contractors over"
        else:
            words = f"commit <@{sam}> <@{priya}> Load task {n} by 2027-03-01"
        reply = driver.command(words, user=sam, channel=channel)  # type: ignore[arg-type]
        with lock:
            acks.append(reply.seconds)
            statuses.append(reply.status)
            if kind in wrote and reply.status == 200:
                wrote[kind].append(f"Load {'lesson' if kind == 'lesson' else 'task'} {n}")

    total = int(rate * seconds)
    pool = ThreadPoolExecutor(max_workers=400)
    started = time.perf_counter()
    for index in range(total):
        due = started + index / rate
        pause = due - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        pool.submit(one, MIX[index % len(MIX)], next(counter))
    pool.shutdown(wait=True)
    # wait for the bot to finish the work after its acks (replies reaching Slack)
    deadline = time.monotonic() + 300
    while len(emulator.calls_to("response_url")) - replies_before < total:
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    replies = len(emulator.calls_to("response_url")) - replies_before
    engine = create_engine(database)
    with engine.connect() as connection:
        lessons = connection.execute(
            text("SELECT title FROM entry WHERE title LIKE 'Load lesson %'")
        ).scalars()
        tasks = connection.execute(
            text("SELECT action FROM commitment WHERE action LIKE 'Load task %'")
        ).scalars()
        stored = Counter(t.split(" supplier")[0] for t in lessons) + Counter(tasks)
    engine.dispose()
    wrong = {key: stored[key] for keys in wrote.values() for key in keys if stored[key] != 1}
    if wrong:
        print(f"not stored exactly once: {dict(list(wrong.items())[:5])}", file=sys.stderr)
    exactly_once = not wrong
    return {
        "rate": rate,
        "sent": total,
        "non200": sum(1 for s in statuses if s != 200),
        "p50": percentile(acks, 50) * 1000,
        "p99": percentile(acks, 99) * 1000,
        "max": max(acks) * 1000 if acks else 0.0,
        "replies": replies,
        "once": exactly_once,
        "memory": peak_memory_mb(server.process.pid),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="", help="a PostgreSQL URL (default: SQLite)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--rates", default="10", help="commands per second, comma-separated")
    parser.add_argument("--rate", type=float, help="one rate (same as --rates)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--latency", type=float, default=0.3, help="every Web API call, seconds")
    args = parser.parse_args()
    rates = [args.rate] if args.rate else [float(r) for r in args.rates.split(",")]

    emulator = Emulator().start()
    if args.database:
        database, engine_name = fresh_schema(args.database), "PostgreSQL"
    else:
        database = f"sqlite:///{Path(tempfile.mkdtemp()) / 'load.db'}"
        engine_name = "SQLite"
    server = Server(emulator, database, args.workers, args.threads)
    driver = SlackDriver(emulator, server.base + "/slack/events", server.secret)
    counter = itertools.count()
    # warm: the first search builds the index (measured apart, in search_bench)
    ws = emulator.workspace
    driver.command(
        "ask partnership",
        user=ws.user_named("sam").id,  # type: ignore[union-attr]
        channel=ws.channel_named("general").id,  # type: ignore[union-attr]
    )
    time.sleep(2)
    emulator.slow(args.latency)
    print(
        "| database | workers | rate /s | sent | non-200 | ack p50 ms | ack p99 ms | ack max ms "
        "| replies delivered | writes exactly once | peak memory per process MB |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |")
    try:
        for rate in rates:
            row = run_rate(driver, emulator, database, rate, args.seconds, counter, server)
            memory = ", ".join(f"{m:.0f}" for m in row["memory"])  # type: ignore[attr-defined]
            print(
                f"| {engine_name} | {args.workers} | {row['rate']:g} | {row['sent']} "
                f"| {row['non200']} | {row['p50']:.0f} | {row['p99']:.0f} | {row['max']:.0f} "
                f"| {row['replies']}/{row['sent']} | {'yes' if row['once'] else 'NO'} | {memory} |",
                flush=True,
            )
    finally:
        server.stop()
        emulator.stop()


if __name__ == "__main__":
    main()
