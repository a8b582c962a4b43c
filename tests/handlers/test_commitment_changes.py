"""Changing a commitment from Slack, the digest, time zones across DST, people Slack cannot
reach, rate limits, and the command line that sends what is due."""

from datetime import UTC, date, datetime

import pytest

from bot.cli import main
from bot.digesting import post_digests
from bot.nudging import send_due_nudges
from bot.sandbox import Sandbox
from bot.scheduler import scheduler_client
from handlers.commitment_blocks import CANT, CANT_VIEW, DONE, UPDATE, UPDATE_VIEW
from storage.models import Commitment, Nudge
from tests.conftest import assert_messages_are_safe
from tests.handlers.test_commitments import Clock, at, dms_to, ids, nudge_run, rows, run


@pytest.fixture
def clock():
    return Clock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def box(settings, clock):
    with Sandbox(settings, clock=clock) as sandbox:
        yield sandbox
        assert_messages_are_safe(sandbox)


def thread_posts(box):
    return [
        c.args["text"]
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args.get("thread_ts")
    ]


def open_form(box, action_id, user, value):
    box.driver.block_action(
        {"action_id": action_id, "type": "button", "value": value}, user=user, channel=user
    )
    box.wait()
    return box.emulator.calls_to("views.open", ok=True)[-1].result["view"]


def submit(box, view, user, *, note=None, due=None, owners=None):
    values = {"note": {"note": {"type": "plain_text_input", "value": note}}}
    if view["callback_id"] == UPDATE_VIEW:
        values["due"] = {"due": {"type": "datepicker", "selected_date": due}}
        values["owners"] = {"owners": {"type": "multi_users_select", "selected_users": owners}}
    reply = box.driver.view_submission(view, values, user=user)
    box.wait()
    return reply


def test_moving_the_due_date_replans_reminders_and_tells_the_thread(box):
    p = ids(box)
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["retrofit"])
    value = str(rows(box, Commitment)[0].id)
    view = open_form(box, UPDATE, p["sam"], value)
    assert (
        submit(
            box, view, p["sam"], note="Waiting on the data", due="2026-12-18", owners=[p["sam"]]
        ).status
        == 200
    )
    assert rows(box, Commitment)[0].due_date == date(2026, 12, 18)
    posts = thread_posts(box)
    assert any("moved “Share the map” to Fri 18 Dec 2026" in t for t in posts)
    assert any("Waiting on the data" in t for t in posts)
    assert nudge_run(box, at(11, 10)) == []  # nothing on the old due date
    assert "due" in nudge_run(box, at(18, 10))[0]


def test_reassigning_moves_the_reminders_to_the_new_owner(box):
    p = ids(box)
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["retrofit"])
    value = str(rows(box, Commitment)[0].id)
    view = open_form(box, UPDATE, p["alex"], value)
    submit(box, view, p["alex"], due="2026-12-11", owners=[p["priya"]])
    assert any("reassigned" in t and p["priya"] in t for t in thread_posts(box))
    [line] = nudge_run(box, at(8, 10))
    assert p["priya"] in line


def test_an_update_with_no_change_or_a_past_date_is_refused_in_the_form(box):
    p = ids(box)
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["retrofit"])
    value = str(rows(box, Commitment)[0].id)
    view = open_form(box, UPDATE, p["sam"], value)
    same = submit(box, view, p["sam"], due="2026-12-11", owners=[p["sam"]])
    assert same.json()["errors"]["note"] == "Change something, or write a note."
    past = submit(box, view, p["sam"], due="2026-11-01", owners=[p["sam"]])
    assert "has already passed" in past.json()["errors"]["due"]
    nobody = submit(box, view, p["sam"], due="2026-12-11", owners=[])
    assert "at least one owner" in nobody.json()["errors"]["owners"]


def test_cant_do_this_closes_it_tells_the_creator_and_stops_reminders(box):
    p = ids(box)
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["retrofit"])
    value = str(rows(box, Commitment)[0].id)
    view = open_form(box, CANT, p["sam"], value)
    assert view["callback_id"] == CANT_VIEW
    assert submit(box, view, p["sam"], note="").json()["errors"]["note"].startswith("Say why")
    submit(box, view, p["sam"], note="The supplier pulled out")
    assert rows(box, Commitment)[0].status == "declined"
    assert "The supplier pulled out" in dms_to(box, p["alex"])[-1].args["text"]
    assert any("can't do" in t for t in thread_posts(box))
    assert [nudge_run(box, at(d, 10)) for d in (8, 11, 15)] == [[], [], []]


def test_the_monday_digest_lists_due_overdue_and_done_once(box, clock):
    p = ids(box)
    run(box, "commit @sam Share the map by 2 Dec", p["alex"], p["retrofit"])
    run(box, "commit @priya Book the venue by 9 Dec", p["alex"], p["retrofit"])
    run(box, "commit @jo Draft the bid by 1 Dec", p["alex"], p["retrofit"])
    clock.now = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
    jo_bid = next(c for c in rows(box, Commitment) if c.action == "Draft the bid")
    box.driver.block_action(
        {"action_id": DONE, "type": "button", "value": str(jo_bid.id)},
        user=p["jo"],
        channel=p["jo"],
    )
    box.wait()
    monday = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    [line] = post_digests(box.bot.services, box.bot.app.client, monday)
    assert "1 due, 1 overdue, 1 done" in line
    digest = [
        c
        for c in box.emulator.calls_to("chat.postMessage")
        if "week of 07 Dec" in str(c.args.get("blocks"))
    ]
    assert digest and digest[0].args["channel"] == p["retrofit"]
    assert post_digests(box.bot.services, box.bot.app.client, monday) == []  # once a week


def test_reminders_keep_to_half_past_nine_local_across_daylight_saving(box, clock):
    p = ids(box)
    clock.now = datetime(2027, 3, 22, 10, 0, tzinfo=UTC)
    run(box, "commit @sam Renew the agreement by 31 Mar 2027", p["alex"], p["retrofit"])
    # London moves to BST on Sunday 28 March 2027: 09:30 is 09:30 UTC before, 08:30 UTC after.
    # Good Friday (26th) and Easter Monday (29th) are bank holidays: three working days before
    # Wednesday the 31st is Wednesday the 24th.
    before = [n.due_at for n in rows(box, Nudge) if n.kind == "before"]
    due = [n.due_at for n in rows(box, Nudge) if n.kind == "due"]
    assert before == [datetime(2027, 3, 24, 9, 30, tzinfo=UTC)]
    assert due == [datetime(2027, 3, 31, 8, 30, tzinfo=UTC)]
    assert "before" in nudge_run(box, datetime(2027, 3, 24, 9, 31, tzinfo=UTC))[-1]
    assert nudge_run(box, datetime(2027, 3, 31, 8, 29, tzinfo=UTC)) == []
    assert "due" in nudge_run(box, datetime(2027, 3, 31, 8, 31, tzinfo=UTC))[-1]


def test_an_owner_who_left_is_mentioned_in_the_thread_and_the_creator_told(box):
    p = ids(box)
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["retrofit"])
    box.emulator.workspace.users[p["sam"]].deleted = True
    [line] = nudge_run(box, at(8, 10))
    assert "thread mention" in line
    assert "can't reach" in dms_to(box, p["alex"])[-1].args["text"]
    assert "thread mention" in nudge_run(box, at(11, 10))[0]  # and from now on in the thread


def test_nudges_run_waits_out_a_rate_limit_and_prints_what_it_sent(box, capsys, monkeypatch):
    p = ids(box)
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["retrofit"])
    box.emulator.rate_limit("chat.postMessage", times=1, retry_after=1)
    client = scheduler_client(box.settings)
    assert len(send_due_nudges(box.bot.services, client, at(8, 10))) == 1
    monkeypatch.setenv("DATABASE_URL", box.settings.database_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", box.settings.slack_bot_token)
    monkeypatch.setenv("SLACK_API_URL", box.settings.slack_api_url)
    assert main(["nudges", "run", "--now", "2026-12-11T10:00:00+00:00"]) == 0
    out = capsys.readouterr().out
    assert "due" in out and "1 nudge sent for 2026-12-11T10:00:00+00:00." in out
    assert f"→ Sam Okafor ({p['sam']})" in out  # named from the directory, the ID kept
    assert main(["nudges", "run", "--now", "friday"]) == 2


def test_the_policy_can_be_changed_per_workspace(box, monkeypatch, capsys):
    p = ids(box)
    monkeypatch.setenv("DATABASE_URL", box.settings.database_url)
    assert (
        main(
            [
                "nudges",
                "policy",
                "--team",
                box.emulator.workspace.team_id,
                "--days-before",
                "5",
                "--overdue-max",
                "1",
                "--region",
                "SCT",
            ]
        )
        == 0
    )
    assert "5 working days before" in capsys.readouterr().out
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["retrofit"])
    kinds = [(n.kind, n.due_at.day) for n in rows(box, Nudge)]
    assert ("before", 4) in kinds and [k for k, _ in kinds].count("overdue") == 1
    assert main(["nudges", "policy", "--team", "T0SHELL", "--overdue-every", "0"]) == 2


def test_a_passing_slack_error_leaves_the_nudge_for_the_next_run(box):
    p = ids(box)
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["retrofit"])
    box.emulator.fail("chat.postMessage", "internal_error")
    assert nudge_run(box, at(8, 10)) == []
    [before] = [n for n in rows(box, Nudge) if n.kind == "before"]
    assert (before.status, before.attempts) == ("pending", 1)
    assert "before" in nudge_run(box, at(8, 10, 1))[0]


def test_the_scheduler_sends_nudges_every_minute_and_digests_on_mondays(box):
    from bot.scheduler import build_scheduler

    scheduler = build_scheduler(box.bot.services, client=box.bot.app.client)
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert set(jobs) == {
        "prune-processed-events",
        "send-nudges",
        "weekly-digest",
        "breakout-timers",
        "health-pulses",
        "deliver-outbox",
    }
    assert "day_of_week='mon'" in str(jobs["weekly-digest"].trigger)
    assert "interval[0:30:00]" in str(jobs["health-pulses"].trigger)
