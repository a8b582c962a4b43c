"""The 09:30 burst: every council's reminders fall due at once, across many workspaces
installed by OAuth, sent by several sender processes against a Slack that answers slowly.

Makes N workspaces in the emulator (each with its own bot token, saved in the installation
store as an OAuth install would), records M commitments in each due today (so each owes one
reminder at 09:30), then runs the sender processes at once (as `partnerbot worker`s would),
each calling the scheduler's own `send_due_nudges` until nothing is due. With `--kill-after S`
the first sender is killed with SIGKILL S seconds in and started again at once (as its
supervisor would); once the others finish, a last run (the scheduler's next minute) sends what
the killed one held. Then it checks every reminder reached its person exactly once, by the
nudge id in each message's metadata, and prints one table: time until all are delivered,
reminders a second, the CPU each reminder cost the senders, the most reminders any workspace
got in one second, duplicates, not sent, and each sender's peak memory.

    .venv/bin/python benchmarks/burst_bench.py --database "$(scripts/postgres start)"
    .venv/bin/python benchmarks/burst_bench.py --workspaces 100 --per-workspace 50 --kill-after 5
"""

import argparse
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from corpus import BENCH_KEY  # noqa: E402
from load_bench import own_peak_mb  # noqa: E402

from bot.emulator import Emulator, User, Workspace  # noqa: E402
from bot.settings import Settings  # noqa: E402

DUE = date(2026, 12, 11)  # a Friday
RECORDED = datetime(2026, 12, 10, 16, 0, tzinfo=UTC)  # after the reminders before it are due
SEND_AT = datetime(2026, 12, 11, 9, 31, tzinfo=UTC)  # just after the 09:30 reminders
PEOPLE = 10  # officers per workspace owning commitments
SHORT_LEASE = timedelta(seconds=3)  # the killed sender's claims lapse sooner than the real 30 s
SHORT_GRACE = timedelta(seconds=6)  # and what it was sending is looked for sooner than 2 min


def workspaces(count: int) -> list[Workspace]:
    made = []
    for number in range(count):
        team_id = f"T{number:05d}BURST"
        ws = Workspace(team_id=team_id, name=f"Council {number}", domain=f"council{number}")
        ws.add_user(User(id=ws.bot_user_id, name="partnerbot", real_name="partnerbot", is_bot=True))
        for person in range(PEOPLE):
            ws.add_user(
                User(
                    id=f"U{number:05d}P{person:02d}",
                    name=f"officer{person}",
                    real_name=f"Officer {person}",
                )
            )
        made.append(ws)
    return made


def record(settings: Settings, teams: list[Workspace], per_workspace: int) -> int:
    """Installs and commitments, interleaved across workspaces as weeks of use would leave them."""
    from slack_sdk.oauth.installation_store import Installation

    from bot.installs import installation_store
    from knowledge.commitments import Owner, record_commitment
    from storage.db import make_engine, session_factory, upgrade
    from storage.teams import mark_installed

    engine = make_engine(settings.database_url)
    upgrade(engine)
    store = installation_store(settings, engine)
    sessions = session_factory(engine)
    with sessions() as session:
        for ws in teams:
            store.save(
                Installation(
                    app_id="A0PARTNERBOT",
                    team_id=ws.team_id,
                    bot_token=ws.bot_token,
                    bot_id=ws.bot_id,
                    bot_user_id=ws.bot_user_id,
                    bot_scopes="chat:write,commands",
                    user_id=f"U{ws.team_id[1:6]}P00",
                    installed_at=RECORDED.timestamp(),
                )
            )
            mark_installed(
                session, team_id=ws.team_id, enterprise_id=None, name=ws.name, now=RECORDED
            )
        for number in range(per_workspace):
            for ws in teams:
                owner = f"U{ws.team_id[1:6]}P{number % PEOPLE:02d}"
                record_commitment(
                    session,
                    team_id=ws.team_id,
                    created_by=owner,
                    creator_tz="Europe/London",
                    channel_id=None,
                    owners=[Owner(owner, "Europe/London")],
                    action=f"Send the retrofit survey results, part {number}",
                    due=DUE,
                    now=RECORDED,
                )
    engine.dispose()
    return len(teams) * per_workspace


def sender(settings: Settings, results: "multiprocessing.Queue[tuple[int, int, float]]") -> None:
    import bot.reaching
    import storage.claims

    storage.claims.LEASE, bot.reaching.DELIVERY_GRACE = SHORT_LEASE, SHORT_GRACE
    from bot.nudging import send_due_nudges
    from bot.scheduler import scheduler_clients
    from bot.services import open_services

    engine, services = open_services(settings, migrate=False)
    clients = scheduler_clients(settings, engine)
    sent = 0
    at = SEND_AT
    while True:  # as the scheduler would, run after run, until nothing is due
        batch = send_due_nudges(services, clients, at)
        sent += len(batch)
        if not batch:
            break
    usage = resource.getrusage(resource.RUSAGE_SELF)
    results.put((sent, round(own_peak_mb()), usage.ru_utime + usage.ru_stime))


@dataclass
class Burst:
    expected: int
    received: Counter[int]
    seconds: float
    cpu: float  # seconds, all senders together
    busiest: int  # the most reminders one workspace got in one second
    limited: int  # 429s
    memory: list[int]

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.received.values())

    @property
    def missing(self) -> int:
        return self.expected - len(self.received)


def burst(
    database: str,
    *,
    workspaces_count: int,
    per_workspace: int,
    senders: int = 2,
    latency: float = 0.1,
    kill_after: float = 0.0,
) -> Burst:
    """Record the burst on `database` (an empty one), send it, and say what Slack received."""
    teams = workspaces(workspaces_count)
    emulator = Emulator(*teams).start()
    try:
        emulator.slow(latency)
        emulator.limit_per_channel(1.0)
        settings = Settings(
            _env_file=None,
            database_url=database,
            slack_client_id="1234.5678",
            slack_client_secret="bench-client-secret",
            slack_signing_secret="bench-signing-secret",
            slack_api_url=emulator.url,
            partnerbot_secret_key=BENCH_KEY,
        )
        started = time.perf_counter()
        expected = record(settings, teams, per_workspace)
        print(
            f"recorded {expected:,} commitments in {time.perf_counter() - started:.0f} s",
            flush=True,
        )

        # fresh processes, as serve's are: none inherits (and counts) the benchmark's memory
        context = multiprocessing.get_context("spawn")
        results: multiprocessing.Queue[tuple[int, int, float]] = context.Queue()
        processes = [
            context.Process(target=sender, args=(settings, results)) for _ in range(senders)
        ]
        started = time.perf_counter()
        for process in processes:
            process.start()
        outcomes = []
        if kill_after:
            time.sleep(kill_after)
            os.kill(processes[0].pid or 0, signal.SIGKILL)
            processes[0].join()
            # its supervisor starts it again at once, as systemd or the platform would
            processes[0] = context.Process(target=sender, args=(settings, results))
            processes[0].start()
            outcomes += [results.get() for _ in processes]
            # what the killed one held lapses, then waits out the delivery grace before it is
            # looked for: the scheduler's next run (a minute on) sends what is left of it
            time.sleep((SHORT_LEASE + SHORT_GRACE).total_seconds() + 1)
            last = context.Process(target=sender, args=(settings, results))
            last.start()
            outcomes.append(results.get())
            last.join()
        else:
            outcomes += [results.get() for _ in processes]
        for process in processes:
            process.join()
        seconds = time.perf_counter() - started

        received: Counter[int] = Counter()
        per_second: Counter[tuple[str | None, int]] = Counter()
        for call in emulator.calls_to("chat.postMessage", ok=True):
            meta = call.args.get("metadata") or {}
            if meta.get("event_type") == "partnerbot_nudge":
                received[meta["event_payload"]["nudge"]] += 1
                per_second[(call.team_id, int(call.at))] += 1
        limited = len(emulator.calls_to("chat.postMessage", ok=False))
    finally:
        emulator.stop()
    return Burst(
        expected=expected,
        received=received,
        seconds=seconds,
        cpu=sum(c for _, _, c in outcomes),
        busiest=max(per_second.values(), default=0),
        limited=limited,
        memory=[mb for _, mb, _ in outcomes],
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workspaces", type=int, default=1000)
    parser.add_argument("--per-workspace", type=int, default=50)
    parser.add_argument("--senders", type=int, default=2)
    parser.add_argument("--latency", type=float, default=0.1, help="every Web API call, seconds")
    parser.add_argument("--kill-after", type=float, default=0.0, help="SIGKILL the first sender")
    parser.add_argument("--database", default="", help="a PostgreSQL URL (default: SQLite)")
    args = parser.parse_args()
    if args.database:
        from load_bench import fresh_schema

        database, name = fresh_schema(args.database), "PostgreSQL"
    else:
        database, name = f"sqlite:///{tempfile.mkdtemp()}/burst.db", "SQLite"
    found = burst(
        database,
        workspaces_count=args.workspaces,
        per_workspace=args.per_workspace,
        senders=args.senders,
        latency=args.latency,
        kill_after=args.kill_after,
    )
    delivered = len(found.received)
    print(
        f"{found.expected:,} reminders due at 09:30 across {args.workspaces:,} workspaces, "
        f"{args.senders} sender processes, {name}, every Web API call answered after "
        f"{args.latency * 1000:.0f} ms, 1 message/s per channel"
        + (f", the first sender killed after {args.kill_after:.0f} s" if args.kill_after else "")
    )
    print(
        "| database | workspaces | reminders | delivered | seconds | reminders/s "
        "| sender CPU ms per reminder | most to one workspace in a second | 429s "
        "| duplicates | not sent | peak memory per sender MB |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(
        f"| {name} | {args.workspaces:,} | {found.expected:,} | {delivered:,} "
        f"| {found.seconds:.0f} | {delivered / found.seconds:.0f} "
        f"| {found.cpu * 1000 / max(delivered, 1):.1f} | {found.busiest} | {found.limited:,} "
        f"| {found.duplicates} | {found.missing} | {', '.join(str(mb) for mb in found.memory)} |"
    )


if __name__ == "__main__":
    main()
