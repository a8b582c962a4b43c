"""How fast `partnerbot serve` answers Slack: signed slash commands through gunicorn.

Starts `partnerbot serve` against the local Slack emulator, sends N signed requests per
command, one after another, and prints a table: the HTTP answer (the ack Slack waits up to
3 s for) and the time until the bot's reply reached Slack (the emulator), p50 / p95 / max.

    .venv/bin/python benchmarks/ack_bench.py [--requests 200]
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from corpus import BENCH_KEY

from bot.driver import SlackDriver
from bot.emulator import Emulator

COMMANDS = [
    ("help", "help"),
    ("partnership add (DB write)", "partnership add Bench {n}"),
    ("partnership list (register of 200+)", "partnership list"),
    ("unknown subcommand (fuzzy suggestion)", "parnership lst"),
    ("ask (search, with a typo)", "ask what derails a partnrship"),
    ("commit (users.info, channel post, DM)", "commit @sam Task {n} by 2027-03-01"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    count = parser.parse_args().requests

    emulator = Emulator().start()
    ws = emulator.workspace
    alex, channel = ws.user_named("alex").id, ws.channel_named("general").id  # type: ignore[union-attr]
    port, secret = free_port(), "bench-signing-secret"
    folder = tempfile.mkdtemp()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PARTNERBOT_"))}
    env["PARTNERBOT_SECRET_KEY"] = BENCH_KEY
    env.update(
        SLACK_BOT_TOKEN=ws.bot_token,
        SLACK_SIGNING_SECRET=secret,
        SLACK_API_URL=emulator.url,
        DATABASE_URL=f"sqlite:///{Path(folder) / 'bench.db'}",
        PARTNERBOT_SCHEDULER="off",
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        env=env,
        cwd=folder,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("serve did not start") from None
            time.sleep(0.2)
    driver = SlackDriver(emulator, base + "/slack/events", secret)

    rows = []
    try:
        for label, text in COMMANDS:
            acks, replies, statuses = [], [], set()
            for n in range(count):
                seen = len(emulator.calls_to("response_url"))
                started = time.perf_counter()
                reply = driver.command(text.format(n=n), user=alex, channel=channel)
                acks.append(reply.seconds * 1000)
                statuses.add(reply.status)
                while len(emulator.calls_to("response_url")) == seen:
                    time.sleep(0.0005)
                replies.append((time.perf_counter() - started) * 1000)
            rows.append((label, statuses, acks, replies))
    finally:
        server.terminate()
        server.wait(timeout=20)
        emulator.stop()

    print(
        f"partnerbot serve (gunicorn gthread, 1 worker), {count} signed requests per command, "
        f"{os.cpu_count()} cores, SQLite"
    )
    print("| command | HTTP | ack p50 ms | ack p95 ms | ack max ms | reply p50 ms | reply p95 ms |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for label, statuses, acks, replies in rows:
        print(
            f"| {label} | {','.join(map(str, sorted(statuses)))} | {statistics.median(acks):.1f} | "
            f"{percentile(acks, 95):.1f} | {max(acks):.1f} | {statistics.median(replies):.1f} | "
            f"{percentile(replies, 95):.1f} |"
        )


if __name__ == "__main__":
    main()
