"""Many councils from one deployment, through Slack's real install flow against the emulator:
two workspaces install the bot over OAuth, each request is served with its own workspace's
token, a workspace that has not installed it is refused, and an uninstall removes the tokens
at once and leaves the data for the retention period (then purged)."""

import logging

import pytest
from sqlmodel import select

from bot.emulator import demo_workspace
from bot.sandbox import Sandbox
from storage.installations import Workspace
from storage.models import Entry

OTHER = "T0OTHER"


@pytest.fixture
def many(settings):
    with Sandbox(
        settings, demo_workspace(), demo_workspace(OTHER, "Other Borough Council"), oauth=True
    ) as sandbox:
        yield sandbox


def ids(box, team_id):
    ws = box.emulator.workspaces[team_id]
    return ws.user_named("alex").id, ws.channel_named("general").id


def lesson(box, team_id, text):
    user, channel = ids(box, team_id)
    reply = box.driver.command(f"lesson {text}", user=user, channel=channel, team_id=team_id)
    box.wait()
    return reply


def test_two_councils_install_and_each_is_served_with_its_own_token(many, caplog):
    caplog.set_level(logging.INFO)
    shell, other = many.emulator.workspaces["T0SHELL"], many.emulator.workspaces[OTHER]
    # before anyone installs it, a workspace is refused (and nothing is stored)
    lesson(many, OTHER, "Too early")
    [refused] = [c for c in many.emulator.calls if c.method == "response_url"]
    assert refused.args["text"].startswith("partnerbot isn't installed in this workspace")
    assert "AuthorizeResult (returned value from authorize) for it was not found" in caplog.text
    # an event from it is answered 200 (Slack would switch events off after failures), unacted
    opened = many.driver.event(
        {"type": "app_home_opened", "user": ids(many, OTHER)[0], "tab": "home"}, team_id=OTHER
    )
    many.wait()
    assert opened.status == 200 and many.emulator.workspaces[OTHER].home == {}
    assert many.install("T0SHELL", shell.user_named("alex").id) == 200
    assert many.install(OTHER, other.user_named("sam").id) == 200
    with many.bot.services.sessions() as session:
        served = sorted(w.team_id for w in session.exec(select(Workspace)))
    assert served == sorted(["T0SHELL", OTHER])
    lesson(many, "T0SHELL", "Early supplier days won contractors over")
    lesson(many, OTHER, "Board papers went out late")
    answered = [c for c in many.emulator.calls if c.method == "response_url"][1:]
    assert {c.team_id for c in answered} == {"T0SHELL", OTHER}
    with many.bot.services.sessions() as session:
        entries = {(e.team_id, e.title) for e in session.exec(select(Entry)) if e.kind == "lesson"}
    assert entries == {
        ("T0SHELL", "Early supplier days won contractors over"),
        (OTHER, "Board papers went out late"),
    }
    # Web API calls made for each went with that workspace's own token
    by_token = {c.team_id for c in many.emulator.calls if c.method == "users.info"}
    assert by_token <= {"T0SHELL", OTHER} and None not in by_token


def test_an_uninstall_removes_the_tokens_at_once_and_the_data_after_retention(
    many, monkeypatch, capsys
):
    from datetime import timedelta

    from bot.cli import main
    from bot.emulator.oauth import revoke
    from bot.retention import purge_departed
    from storage.installations import bots

    for team_id in ("T0SHELL", OTHER):
        many.install(team_id, ids(many, team_id)[0])
        lesson(many, team_id, f"A lesson from {team_id}")
    # the other council uninstalls: Slack revokes its token and tells the bot
    revoke(many.emulator.workspaces[OTHER])
    many.driver.event({"type": "app_uninstalled"}, team_id=OTHER)
    many.wait()
    with many.bot.services.sessions() as session:
        tokens = {r.team_id for r in session.execute(select(bots))}
        left = session.get(Workspace, OTHER)
        kept = {e.team_id for e in session.exec(select(Entry)) if e.kind == "lesson"}
    assert tokens == {"T0SHELL"} and left.uninstalled_at is not None
    assert kept == {"T0SHELL", OTHER}  # its data waits out the retention period
    # its people are refused from now on; the other council is served as before
    lesson(many, OTHER, "After leaving")
    assert (
        "isn't installed"
        in [c for c in many.emulator.calls if c.method == "response_url"][-1].args["text"]
    )
    # the scheduler purges it once PARTNERBOT_RETENTION_DAYS (30) have passed, not before
    now = left.uninstalled_at
    assert purge_departed(many.bot.services, now + timedelta(days=29), retention_days=30) == []
    assert purge_departed(many.bot.services, now + timedelta(days=31), retention_days=30) == [OTHER]
    with many.bot.services.sessions() as session:
        kept = {e.team_id for e in session.exec(select(Entry)) if e.kind == "lesson"}
        assert kept == {"T0SHELL"} and session.get(Workspace, OTHER) is None
    # `partnerbot purge --team T` does it at once, and says what it removed
    monkeypatch.setenv("DATABASE_URL", many.bot.settings.database_url)
    assert main(["purge", "--team", "T0SHELL"]) == 2  # still installed: refused
    assert "still installed" in capsys.readouterr().err
    assert main(["purge", "--team", "T0SHELL", "--force"]) == 0
    said = capsys.readouterr().out
    assert said.startswith("Purged T0SHELL:") and "entry" in said


def test_the_scheduler_reminds_each_council_with_its_own_token(many):
    from datetime import timedelta

    from bot.emulator.oauth import revoke
    from bot.nudging import send_due_nudges
    from bot.scheduler import scheduler_clients
    from storage.models import Nudge

    for team_id in ("T0SHELL", OTHER):
        user, channel = ids(many, team_id)
        many.install(team_id, user)
        sam = many.emulator.workspaces[team_id].user_named("sam").id
        many.driver.command(
            f"commit <@{sam}|sam> Share the map by friday",
            user=user,
            channel=channel,
            team_id=team_id,
        )
        many.wait()
    clients = scheduler_clients(many.bot.settings, many.bot.engine)
    later = working_morning(many.bot.services.clock() + timedelta(days=10))
    sent = send_due_nudges(many.bot.services, clients, later)
    many.wait()
    dms = [c for c in many.emulator.calls if c.method == "chat.postMessage" and c.ok]
    assert sent and {c.team_id for c in dms} == {"T0SHELL", OTHER}
    # the other council leaves: its reminders are dropped, the first council's still go
    revoke(many.emulator.workspaces[OTHER])
    many.driver.event({"type": "app_uninstalled"}, team_id=OTHER)
    many.wait()
    send_due_nudges(many.bot.services, clients, working_morning(later + timedelta(days=10)))
    with many.bot.services.sessions() as session:
        theirs = {n.status for n in session.exec(select(Nudge).where(Nudge.team_id == OTHER))}
    assert "pending" not in theirs and "cancelled" in theirs
    assert not [c for c in many.emulator.calls if c.error == "invalid_auth"]


def test_a_forged_state_or_a_reused_code_installs_nothing(many):
    from storage.installations import bots

    def installed():
        with many.bot.services.sessions() as session:
            return [r.team_id for r in session.execute(select(bots))]

    alex = ids(many, "T0SHELL")[0]
    code = many.emulator.installs.consent("T0SHELL", alex)
    # a state we never signed (a cross-site request forging an install), with a matching cookie
    forged = "0123456789abcdef.0123456789abcdef0123456789abcdef"
    assert many.come_back(code, forged, f"slack-app-oauth-state={forged}") >= 400
    assert installed() == []
    # the real flow works; its code cannot be used twice
    assert many.install("T0SHELL", alex) == 200
    access = [c for c in many.emulator.calls if c.method == "oauth.v2.access"]
    assert [c.ok for c in access] == [True]
    used = access[0].args["code"]
    assert many.install("T0SHELL", alex) == 200  # a reinstall is fine (the store keeps history)
    before = installed()
    assert many.come_back(used, *many.start_install()) >= 400  # a good state, a spent code
    assert installed() == before and set(before) == {"T0SHELL"}


def test_rotating_tokens_are_refreshed_before_they_expire(many):
    from bot.installs import team_clients
    from storage.installations import bots

    many.emulator.installs.rotating = True  # the app turned token rotation on
    shell = many.emulator.workspaces["T0SHELL"]
    assert many.install("T0SHELL", ids(many, "T0SHELL")[0]) == 200
    first = shell.bot_token
    assert first.startswith("xoxe.xoxb-")
    # it expires within the two hours Bolt allows, so the next request refreshes it first
    reply = lesson(many, "T0SHELL", "Rotation keeps working")
    assert reply.status == 200
    refreshed = [
        c
        for c in many.emulator.calls
        if c.method == "oauth.v2.access" and c.args.get("grant_type") == "refresh_token"
    ]
    assert refreshed and refreshed[0].ok and shell.bot_token != first
    assert not [c for c in many.emulator.calls if c.error == "invalid_auth"]
    assert any(
        c.method == "response_url" and "Rotation keeps working" in json_text(c.args)
        for c in many.emulator.calls
    )
    # the scheduler refreshes too, and stores the new pair for everyone
    client = team_clients(many.bot.settings, many.bot.engine)("T0SHELL")
    assert client is not None and client.auth_test()["team_id"] == "T0SHELL"
    with many.bot.services.sessions() as session:
        latest = session.execute(select(bots).order_by(bots.c.id.desc())).first()
    assert many.bot.services.keyring.unseal(latest.bot_token) == shell.bot_token  # sealed at rest


def json_text(value):
    import json

    return json.dumps(value)


def working_morning(when):
    """10:00 UTC on the first working day from `when`: reminders go out in working hours, so a
    test run in the evening must not ask for them then."""
    from datetime import UTC, datetime, time

    from knowledge.workdays import next_working_day

    return datetime.combine(next_working_day(when.date()), time(10, 0), UTC)


def test_socket_mode_serves_the_install_pages_too(settings, monkeypatch):
    """Socket Mode needs no public URL for Slack's requests, but an install's browser redirect
    must land somewhere: `partnerbot socket` serves /slack/install and /slack/oauth_redirect."""
    from urllib.error import HTTPError
    from urllib.parse import parse_qs, urlparse
    from urllib.request import build_opener

    from bot.emulator.oauth import CLIENT_ID, CLIENT_SECRET
    from bot.factory import create_app
    from bot.sandbox import _NoRedirects
    from bot.serve import install_pages

    oauth = settings.model_copy(
        update={
            "slack_bot_token": None,
            "slack_signing_secret": None,  # Socket Mode: nothing signed comes over HTTP
            "slack_client_id": CLIENT_ID,
            "slack_client_secret": CLIENT_SECRET,
            "slack_state_secret": "a-state-secret-of-our-own",
        }
    )
    bot = create_app(oauth, socket_mode=True)
    server = install_pages(bot, 0)
    try:
        build_opener(_NoRedirects).open(server.base + "/slack/install")
        raise AssertionError("expected a redirect to Slack's consent page")
    except HTTPError as redirect:
        assert redirect.code == 302
        location = urlparse(redirect.headers["Location"])
        asked = parse_qs(location.query)
    finally:
        server.stop()
        bot.engine.dispose()
    assert location.netloc == "slack.com" and asked["client_id"] == [CLIENT_ID]
    assert "files:write" in asked["scope"][0] and asked["state"][0].count(".") == 1
