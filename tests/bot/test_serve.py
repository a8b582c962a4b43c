"""`partnerbot serve`: gunicorn in a real process, answering signed requests as Slack sends them."""

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from bot.driver import SlackDriver
from bot.emulator import Emulator
from storage.version import release
from tests.conftest import ON_POSTGRES, TEST_KEY


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(base: str, process: subprocess.Popen, timeout: float = 40) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited: {process.stderr.read()}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):  # workers still booting
            time.sleep(0.2)
    raise AssertionError("serve did not become healthy")


class Served:
    """A running `partnerbot serve` and the emulator it talks to."""

    def __init__(
        self, process: subprocess.Popen, emulator: Emulator, base: str, secret: str
    ) -> None:
        self.process, self.emulator, self.base = process, emulator, base
        self.driver = SlackDriver(emulator, base + "/slack/events", secret)

    def stop(self) -> str:
        """Stop the server and return what it logged."""
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.communicate(timeout=20)[1]


def start_serve(tmp_path, database_url: str, **settings: str) -> Served:
    """`partnerbot serve` in its own process, against a fresh emulator (not yet healthy)."""
    emulator = Emulator().start()
    port, secret = free_port(), "serve-test-signing-secret"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PARTNERBOT_"))}
    env["PARTNERBOT_SECRET_KEY"] = TEST_KEY
    env.update(
        {
            "SLACK_BOT_TOKEN": emulator.workspace.bot_token,
            "SLACK_SIGNING_SECRET": secret,
            "SLACK_API_URL": emulator.url,
            "DATABASE_URL": database_url,
            **settings,
        }
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return Served(process, emulator, f"http://127.0.0.1:{port}", secret)


@pytest.fixture
def served(tmp_path, database_url):
    server = start_serve(tmp_path, database_url)
    try:
        wait_healthy(server.base, server.process)
        yield server
    finally:
        server.stop()
        server.emulator.stop()


def test_serve_answers_a_signed_help_and_refuses_a_forged_one(served):
    emulator, driver = served.emulator, served.driver
    ws = emulator.workspace
    alex, general = ws.user_named("alex").id, ws.channel_named("general").id
    reply = driver.command("help supply-chain", user=alex, channel=general)
    assert reply.status == 200 and reply.seconds < 3
    deadline = time.monotonic() + 10
    while not emulator.calls_to("response_url") and time.monotonic() < deadline:
        time.sleep(0.05)
    [answer] = emulator.calls_to("response_url")
    assert "/partners help" in str(answer.args["blocks"])

    forged = driver.command("help", user=alex, channel=general, secret="forged")
    assert forged.status == 401
    time.sleep(0.3)
    assert len(emulator.calls_to("response_url")) == 1

    # Logs are JSON lines with team and request ids, and never hold the token, the secret
    # or what was typed.
    logs = served.stop()
    assert emulator.workspace.bot_token not in logs and "serve-test-signing-secret" not in logs
    assert "supply-chain" not in logs
    lines = [json.loads(line) for line in logs.splitlines() if line.strip()]
    # the first line says which release is starting
    assert (lines[0]["message"], lines[0]["version"]) == ("partnerbot starting", release())
    requests = [line for line in lines if line["message"] == "slack request"]
    assert len(requests) == 1  # the forged one never reached the app
    assert requests[0]["team_id"] == emulator.workspace.team_id and requests[0]["request_id"]


def test_healthz_answers_when_the_database_does(served):
    with urllib.request.urlopen(served.base + "/healthz", timeout=5) as response:
        # the same version as `partnerbot --version` (tests/bot/test_version.py)
        body = f"ok\npartnerbot {release()}\n".encode()
        assert (response.status, response.read()) == (200, body)


def test_the_worker_runs_the_scheduler_until_stopped(tmp_path, database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PARTNERBOT_"))}
    env["PARTNERBOT_SECRET_KEY"] = TEST_KEY
    env.update(SLACK_BOT_TOKEN="xoxb-worker-test", DATABASE_URL=database_url)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "worker"],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        line = process.stderr.readline()
        seen.append(line)
        if "Scheduler started" in line:
            break
    process.terminate()
    process.communicate(timeout=20)
    messages = [json.loads(line)["message"] for line in seen if line.startswith("{")]
    assert "partnerbot starting" in messages and "Scheduler started" in messages
    assert "xoxb-worker-test" not in "".join(seen)


def test_several_web_workers_start_on_a_fresh_database(tmp_path, database_url):
    """WEB_CONCURRENCY=3 with every migration pending: migrated once before the fork, and
    every worker comes up; on SQLite, whose one writer makes several processes queue past
    Slack's 3 seconds, one comes up and the log says why."""
    server = start_serve(tmp_path, database_url, WEB_CONCURRENCY="3", PARTNERBOT_SCHEDULER="off")
    process, emulator = server.process, server.emulator
    try:
        wait_healthy(server.base, process)
        replies = [
            server.driver.command(
                "help",
                user=emulator.workspace.user_named("sam").id,
                channel=emulator.workspace.channel_named("general").id,
            )
            for _ in range(6)
        ]
        assert [r.status for r in replies] == [200] * 6
        time.sleep(1)
        assert process.poll() is None
    finally:
        logged = server.stop()
        emulator.stop()
    if ON_POSTGRES:
        assert logged.count("Booting worker") == 3
    else:
        assert logged.count("Booting worker") == 1
        assert "SQLite takes one writer at a time: running one" in logged
    assert "already exists" not in logged and "Traceback" not in logged


def readonly(url: str) -> str:
    """The same database, opened so that it refuses every write (a read-only mount, a replica)."""
    from sqlalchemy import make_url

    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        return f"sqlite:///file:{parsed.database}?mode=ro&uri=true"
    options = (parsed.query.get("options") or "") + " -cdefault_transaction_read_only=on"
    return parsed.update_query_dict({"options": options.strip()}).render_as_string(
        hide_password=False
    )


def test_health_says_what_is_wrong_when_the_database_takes_no_writes(engine, settings):
    from storage import db

    assert db.health(engine) is None
    broken = db.make_engine(readonly(settings.database_url))
    try:
        problem = db.health(broken)
        assert problem is not None and problem.startswith("database unavailable for writes")
    finally:
        broken.dispose()


def test_health_says_so_when_the_disk_is_nearly_full(engine, monkeypatch):
    from storage import db

    if engine.dialect.name != "sqlite":
        pytest.skip("the free-space check is about the SQLite file's own disk")
    monkeypatch.setattr(db, "LOW_DISK", 1 << 60)  # more than any disk has free
    assert db.health(engine).startswith("disk nearly full")


def test_a_read_only_database_is_named_at_start_without_a_traceback(engine, settings, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PARTNERBOT_"))}
    env["PARTNERBOT_SECRET_KEY"] = TEST_KEY
    env["DATABASE_URL"] = readonly(settings.database_url)
    with engine.begin() as connection:  # a migration is pending, so start-up must write
        connection.exec_driver_sql("DELETE FROM alembic_version")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "can't be used" in done.stderr and "read" in done.stderr.lower()
    if engine.dialect.name == "sqlite":
        assert str(engine.url.database) in done.stderr


def test_metrics_show_a_commands_ack_after_it_is_sent(served):
    def metrics() -> str:
        with urllib.request.urlopen(served.base + "/metrics", timeout=5) as response:
            assert response.headers["Content-Type"].startswith("text/plain")
            return response.read().decode()

    before = metrics()
    assert 'partnerbot_acks_total{kind="command"' not in before
    ws = served.emulator.workspace
    alex, general = ws.user_named("alex").id, ws.channel_named("general").id
    for text in ("help", "ask supply chain", "frobnicate secret words"):
        assert served.driver.command(text, user=alex, channel=general).status == 200
    deadline = time.monotonic() + 10
    while len(served.emulator.calls_to("response_url")) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    after = metrics()
    assert 'partnerbot_acks_total{kind="command",name="/partners help",status="200"} 1.0' in after
    assert 'partnerbot_acks_total{kind="command",name="/partners ask",status="200"} 1.0' in after
    # a word nobody registered is "other": never what someone typed
    assert 'name="/partners other"' in after and "frobnicate" not in after
    assert 'partnerbot_ack_seconds_count{kind="command"} 3.0' in after
    assert "partnerbot_search_seconds_count 1.0" in after
    assert "partnerbot_work_queue_depth" in after and "partnerbot_reminders_total" in after
    held = re.search(r"^partnerbot_search_index_bytes ([0-9.e+]+)$", after, re.M)
    assert held and float(held[1]) > 0  # the workspace's index, measured
    assert 'partnerbot_search_index_events{event="evictions"} 0.0' in after
