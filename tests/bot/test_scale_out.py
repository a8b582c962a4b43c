"""Two sender processes on one database, a slow Slack, and one of them killed with SIGKILL in
the middle of its run: every reminder reaches its person exactly once."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from bot.emulator import Emulator, User
from bot.nudging import BATCH, SENDERS
from knowledge.commitments import Owner, record_commitment
from storage.claims import LEASE
from storage.db import make_engine, upgrade
from storage.models import Nudge
from tests.conftest import TEST_KEY

PEOPLE = BATCH + 40  # more than one run claims at once: two runs hold some each
RECORDED = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
DUE = date(2026, 11, 23)  # a Monday: each owner's "due today" reminder is at 09:30
RUN_AT = datetime(2026, 11, 23, 9, 31, tzinfo=UTC)
SLOW_POST = 4.0  # seconds Slack takes to post a message while the first run is killed


def seed(database_url: str, emulator: Emulator, people: int = PEOPLE) -> list[int]:
    """One commitment per person, each owing exactly one reminder at RUN_AT."""
    ws = emulator.workspace
    engine = make_engine(database_url)
    upgrade(engine)
    with Session(engine) as session:
        for n in range(people):
            user = ws.add_user(User(id=f"U0SHELLX{n:03d}", name=f"officer{n}", real_name=f"O {n}"))
            record_commitment(
                session,
                team_id=ws.team_id,
                created_by=ws.user_named("alex").id,  # type: ignore[union-attr]
                creator_tz="Europe/London",
                channel_id=None,
                owners=[Owner(user.id, "Europe/London")],
                action=f"Action {n}",
                due=DUE,
                now=RECORDED,
            )
        due = session.exec(
            select(Nudge).where(Nudge.kind == "due").where(Nudge.due_at <= RUN_AT)
        ).all()
        ids = [n.id for n in due]
    engine.dispose()
    assert len(ids) == people
    return ids


# the subprocess senders' lease and delivery grace, shortened so the test need not wait the real
# 30 s and 2 min: both are judged by the database's clock, which a test cannot move. As in
# production (2 min against Slack's seconds), the grace is longer than Slack takes to post: a
# grace shorter than SLOW_POST would have the other run look before the message is there, and
# send it again (seen on a loaded machine)
SHORT = "import storage.claims as c, bot.reaching as r, datetime as d; " + (
    "c.LEASE = d.timedelta(seconds=2); r.DELIVERY_GRACE = d.timedelta(seconds=6); "
    # one workspace here, not a thousand: its pace is raised so the test takes seconds
    "import bot.pacing as p; p.PER_WORKSPACE = 100.0; "
    "from bot.cli import main; raise SystemExit(main())"
)
SHORT_LEASE, SHORT_GRACE = timedelta(seconds=2), timedelta(seconds=6)
assert SHORT_GRACE.total_seconds() > SLOW_POST


def run(database_url: str, emulator: Emulator, at: datetime) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PARTNERBOT_"))}
    env["PARTNERBOT_SECRET_KEY"] = TEST_KEY
    env.update(
        SLACK_BOT_TOKEN=emulator.workspace.bot_token,
        SLACK_API_URL=emulator.url,
        DATABASE_URL=database_url,
    )
    return subprocess.Popen(
        [sys.executable, "-c", SHORT, "nudges", "run", "--now", at.isoformat()],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def reminders_received(emulator: Emulator) -> Counter[int]:
    """How many times Slack took each reminder (by the nudge id in its metadata)."""
    return Counter(
        call.args["metadata"]["event_payload"]["nudge"]
        for call in emulator.calls_to("chat.postMessage", ok=True)
        if (call.args.get("metadata") or {}).get("event_type") == "partnerbot_nudge"
    )


def held_by_runs(database_url: str) -> dict[str, list[int]]:
    """The reminders each run holds claimed but not yet marked sent, by the run's token."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        rows = session.exec(select(Nudge).where(Nudge.status == "claimed")).all()
        held: dict[str, list[int]] = {}
        for row in rows:
            held.setdefault(row.claim or "", []).append(row.id or 0)
    engine.dispose()
    return held


def wait_for(condition, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, what
        time.sleep(0.05)
    return found


def test_a_sender_killed_mid_run_loses_nothing_and_doubles_nothing(database_url):
    emulator = Emulator().start()
    try:
        ids = seed(database_url, emulator)
        emulator.slow(0.15)  # every Web API call: Slack on a slow day
        emulator.slow(SLOW_POST, "chat.postMessage")  # and much slower to take messages, for now
        first = run(database_url, emulator, RUN_AT)
        # the first run's token is the only one while it alone holds claims
        (token,) = wait_for(lambda: held_by_runs(database_url), "the first run never claimed")
        second = run(database_url, emulator, RUN_AT)
        wait_for(
            lambda: (
                len(held := held_by_runs(database_url)) == 2 and len(held.get(token, [])) > SENDERS
            ),
            "the two runs never held reminders at the same time",
        )
        first.send_signal(signal.SIGKILL)  # mid-send, holding more than it can have in flight
        killed = time.monotonic()
        emulator.slow(0.15, "chat.postMessage")
        first.wait(timeout=10)
        held = held_by_runs(database_url).get(token, [])
        assert second.wait(timeout=120) == 0, second.stderr.read()
        # the killed run's claims lapse after its lease, by the database's clock, and what it
        # was mid-way through sending is looked for once Slack has had its delivery grace; the
        # scheduler's next tick after that sends what it had held (let Slack finish posting
        # what the killed run had in flight, as it would have long before a real lease ran out)
        wait = max(SLOW_POST + 0.5, (SHORT_LEASE + SHORT_GRACE).total_seconds() + 0.5)
        time.sleep(max(0.0, killed + wait - time.monotonic()))
        later = run(database_url, emulator, RUN_AT + LEASE + timedelta(seconds=30))
        assert later.wait(timeout=120) == 0, later.stderr.read()
        assert later.stdout.read().splitlines()[-1].split()[0].isdigit()  # it says how many
        received = reminders_received(emulator)
    finally:
        emulator.stop()
    assert {nudge_id: times for nudge_id, times in received.items() if times != 1} == {}
    assert sorted(received) == sorted(ids)  # nothing lost, nothing doubled
    # the killed run held more than its senders could have had in flight: some of those were
    # never sent by it, and another run sent them, once (the second run, if it was still going
    # when the killed run's lease lapsed, or the later one: which depends on the machine's load)
    assert len(held) > SENDERS
    assert all(received[nudge_id] == 1 for nudge_id in held)


def test_a_run_slower_than_its_lease_keeps_its_reminders_and_a_second_run_doubles_none(
    database_url, settings, monkeypatch
):
    """The old failure: claims went stale while a slow run still held them, and a second run
    sent them again. The heartbeat renews them for as long as the run lives."""
    import threading

    from bot.nudging import send_due_nudges
    from bot.services import build_services
    from handlers.sending import QuietWebClient
    from storage import claims

    # each send takes longer than the whole lease: only the heartbeat keeps the claims
    monkeypatch.setattr(claims, "LEASE", timedelta(seconds=0.3))
    emulator = Emulator().start()
    try:
        ids = seed(database_url, emulator, people=6)
        engine = make_engine(database_url)
        services = build_services(settings, engine, clock=lambda: RUN_AT)
        client = QuietWebClient(token=emulator.workspace.bot_token, base_url=emulator.url)
        emulator.slow(1.0)
        runs = [threading.Thread(target=send_due_nudges, args=(services, client, RUN_AT))]
        runs.append(
            threading.Thread(
                # a scheduler tick 1.6 s later: its clock is later too
                target=lambda: (
                    time.sleep(1.6),  # the first run is mid-send, 0.5 s past its lease
                    send_due_nudges(services, client, RUN_AT + timedelta(seconds=1.6)),
                )
            )
        )
        for thread in runs:
            thread.start()
        for thread in runs:
            thread.join(timeout=120)
        received = reminders_received(emulator)
        engine.dispose()
    finally:
        emulator.stop()
    assert {nudge_id: times for nudge_id, times in received.items() if times != 1} == {}
    assert sorted(received) == sorted(ids)


def test_a_sender_whose_clock_runs_15_minutes_ahead_takes_nobody_elses_reminders(
    database_url, settings
):
    """Leases are judged by the database's clock: a second sender whose own clock is 15 minutes
    ahead sees the first run's claims as fresh, not stale, and sends none of them again."""
    import threading

    from bot.nudging import send_due_nudges
    from bot.services import build_services
    from handlers.sending import QuietWebClient

    emulator = Emulator().start()
    try:
        ids = seed(database_url, emulator, people=12)
        engine = make_engine(database_url)
        services = build_services(settings, engine, clock=lambda: RUN_AT)
        ahead = build_services(settings, engine, clock=lambda: RUN_AT + timedelta(minutes=15))
        client = QuietWebClient(token=emulator.workspace.bot_token, base_url=emulator.url)
        emulator.slow(0.5, "chat.postMessage")
        first = threading.Thread(target=send_due_nudges, args=(services, client, RUN_AT))
        first.start()
        wait_for(lambda: held_by_runs(database_url), "the first run never claimed")
        time.sleep(0.25)  # the first run is mid-post: Slack takes half a second to answer
        send_due_nudges(ahead, client, RUN_AT + timedelta(minutes=15))
        first.join(timeout=120)
        received = reminders_received(emulator)
        engine.dispose()
    finally:
        emulator.stop()
    assert {nudge_id: times for nudge_id, times in received.items() if times != 1} == {}
    assert sorted(received) == sorted(ids)


def test_a_reminder_slack_shows_late_is_looked_for_again_not_sent_twice(
    database_url, settings, monkeypatch
):
    """A send whose answer never came (the client gave up; Slack posted it two seconds later):
    a run in the meantime does not look yet, so does not send it again; once Slack has had its
    delivery grace, a run finds it by its metadata and marks it sent."""
    import bot.reaching as reaching
    from bot.nudging import send_due_nudges
    from bot.services import build_services
    from handlers.sending import QuietWebClient

    monkeypatch.setattr(reaching, "DELIVERY_GRACE", timedelta(seconds=3))
    emulator = Emulator().start()
    try:
        [nudge_id] = seed(database_url, emulator, people=1)
        engine = make_engine(database_url)
        services = build_services(settings, engine, clock=lambda: RUN_AT)
        impatient = QuietWebClient(
            token=emulator.workspace.bot_token, base_url=emulator.url, timeout=1
        )
        emulator.slow(2.0, "chat.postMessage")  # posted after the client has given up
        assert send_due_nudges(services, impatient, RUN_AT) == []
        emulator.slow(0.0, "chat.postMessage")
        client = QuietWebClient(token=emulator.workspace.bot_token, base_url=emulator.url)
        assert send_due_nudges(services, client, RUN_AT) == []  # too soon to look: left
        time.sleep(3.5)  # Slack has long shown it; the grace has passed
        assert send_due_nudges(services, client, RUN_AT) == []  # found, not sent again
        received = reminders_received(emulator)
        with Session(engine) as session:
            nudge = session.get(Nudge, nudge_id)
            assert nudge is not None and nudge.status == "sent" and nudge.message_ts
        engine.dispose()
    finally:
        emulator.stop()
    assert received == {nudge_id: 1}
