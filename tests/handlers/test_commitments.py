"""Commitments end to end: recording, confirmations, the nudge sequence with time moved by the
clock, answers from the nudge, snooze, away, escalation, catch-up, two concurrent runs."""

import threading
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bot.nudging import send_due_nudges
from bot.sandbox import Sandbox
from handlers.commitment_blocks import DONE, SNOOZE_DAY
from storage.models import AuditEntry, Commitment, CommitmentOwner, Nudge
from tests.conftest import Clock, assert_messages_are_safe


@pytest.fixture
def clock():
    return Clock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))  # a Monday


@pytest.fixture
def box(settings, clock):
    with Sandbox(settings, clock=clock) as sandbox:
        yield sandbox
        assert_messages_are_safe(sandbox)


def ids(box):
    ws = box.emulator.workspace
    return {name: ws.user_named(name).id for name in ("alex", "sam", "priya", "jo", "kim")} | {
        "general": ws.channel_named("general").id,
        "retrofit": ws.channel_named("retrofit-partnership").id,
    }


def rows(box, table):
    with box.bot.services.sessions() as session:
        return list(session.exec(select(table)))


def run(box, text, user, channel):
    reply = box.driver.command(text, user=user, channel=channel)
    box.wait()
    assert reply.status == 200 and reply.seconds < 3
    answers = box.emulator.calls_to("response_url")
    return answers[-1] if answers else None


def dms_to(box, user_id):
    return [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args["channel"] == user_id
    ]


def nudge_run(box, at):
    lines = send_due_nudges(box.bot.services, box.bot.app.client, at)
    box.wait()
    return lines


def at(day, hour=9, minute=30):
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def test_a_quick_commitment_is_confirmed_in_the_channel_and_dmed_to_each_owner(box):
    p = ids(box)
    reply = run(
        box, "commit @sam @priya Share the supply-chain map by 11 Dec", p["alex"], p["retrofit"]
    )
    assert "Recorded" in reply.args["text"]
    [commitment] = rows(box, Commitment)
    assert (commitment.action, commitment.due_date, commitment.created_by) == (
        "Share the supply-chain map",
        date(2026, 12, 11),
        p["alex"],
    )
    assert {o.user_id for o in rows(box, CommitmentOwner)} == {p["sam"], p["priya"]}
    confirmation = [
        c for c in box.emulator.calls_to("chat.postMessage") if c.args["channel"] == p["retrofit"]
    ]
    assert "due Fri 11 Dec 2026 (in 18 days)" in confirmation[0].args["text"]
    assert commitment.thread_ts == confirmation[0].result["ts"]
    assert len(dms_to(box, p["sam"])) == len(dms_to(box, p["priya"])) == 1
    assert DONE in str(dms_to(box, p["sam"])[0].args["blocks"])
    assert [a.action for a in rows(box, AuditEntry) if a.entity == "commitment"] == ["create"]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("commit @bob Share the map by friday", "I don't know anyone called @bob"),
        ("commit #general Share the map by friday", "is a channel, not a person"),
        ("commit @sam by friday", "What is the action?"),
        ("commit @sam " + "x" * 4000 + " by friday", "Keep the action to 500 characters"),
        ("commit @sam Share the map by 12 Dec 2056", "more than two years away"),
        ("commit @sam Share the map by yesterday", "has already passed"),
        ("commit @sam Share the map by whenever", "can't read"),
        ("commit @sam Share the map by 20 Nov", "Fri 20 Nov 2026 has just passed"),
        ("commit @sam Share the map", "By when?"),
    ],
)
def test_bad_commitments_get_a_clear_message_and_store_nothing(box, text, said):
    p = ids(box)
    reply = run(box, text, p["alex"], p["general"])
    assert said in reply.args["text"] and "/partners commit @sam" in reply.args["text"]
    assert rows(box, Commitment) == [] and rows(box, Nudge) == []


def test_a_near_miss_partnership_name_is_answered_as_one(box):
    p = ids(box)
    run(box, "partnership add Retrofit Partnership", p["alex"], p["retrofit"])
    reply = run(box, "commit @sam Share the map by friday in Retrof", p["alex"], p["general"])
    said = reply.args["text"]
    assert "no partnership called “Retrof”. Did you mean *Retrofit Partnership*?" in said
    assert "as a date" not in said
    assert rows(box, Commitment) == []
    # "in 2 weeks" is still a date, and the exact name still files it
    run(box, "commit @sam Share the map by friday in retrofit partnership", p["alex"], p["general"])
    [commitment] = rows(box, Commitment)
    assert commitment.partnership_id is not None


def test_the_form_records_a_commitment(box):
    p = ids(box)
    run(box, "commit", p["alex"], p["general"])
    view = box.emulator.calls_to("views.open", ok=True)[-1].result["view"]
    reply = box.driver.view_submission(
        view,
        {
            "owners": {"owners": {"type": "multi_users_select", "selected_users": [p["sam"]]}},
            "action": {"action": {"type": "plain_text_input", "value": "Book the venue"}},
            "due": {"due": {"type": "datepicker", "selected_date": "2026-12-04"}},
            "partner_org": {
                "partner_org": {"type": "plain_text_input", "value": "Green Homes CIC"}
            },
            "done_when": {"done_when": {"type": "plain_text_input", "value": "Booking confirmed"}},
        },
        user=p["alex"],
    )
    box.wait()
    assert reply.status == 200 and reply.json()["response_action"] == "update"
    [done] = box.emulator.calls_to("views.update", ok=True)
    assert "Recorded" in str(done.args["view"]) and "Book the venue" in str(done.args["view"])
    [commitment] = rows(box, Commitment)
    assert (commitment.partner_org, commitment.done_when) == (
        "Green Homes CIC",
        "Booking confirmed",
    )
    past = box.driver.view_submission(
        view,
        {
            "owners": {"owners": {"type": "multi_users_select", "selected_users": [p["sam"]]}},
            "action": {"action": {"type": "plain_text_input", "value": "Late"}},
            "due": {"due": {"type": "datepicker", "selected_date": "2026-01-04"}},
        },
        user=p["alex"],
    )
    assert past.json()["errors"]["due"].startswith("Sun 04 Jan 2026 has already passed")


def test_actions_lists_mine_and_the_channels(box):
    p = ids(box)
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["retrofit"])
    run(box, "commit @priya Book the venue by 4 Dec", p["alex"], p["retrofit"])
    mine = run(box, "actions", p["sam"], p["general"])
    assert "Your open commitments" in mine.args["text"] and "Share the map" in str(
        mine.args["blocks"]
    )
    assert "Book the venue" not in str(mine.args["blocks"])
    everyone = run(box, "actions all", p["sam"], p["retrofit"])
    assert "2 open" in everyone.args["text"]


def test_the_full_sequence_then_escalation_at_half_past_nine(box):
    p = ids(box)
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["retrofit"])
    sent = []
    for day in range(1, 31):
        for hour in (8, 9, 10, 14):
            sent += nudge_run(box, datetime(2026, 12, day, hour, 0, tzinfo=UTC))
    kinds = [line.split()[3] for line in sent]
    assert kinds == ["before", "due", "overdue", "overdue", "overdue", "escalation"]
    days = [line.split()[0] for line in sent]
    assert days == [
        "2026-12-08",
        "2026-12-11",
        "2026-12-15",
        "2026-12-17",
        "2026-12-21",
        "2026-12-23",
    ]
    assert "Still open after three reminders" in dms_to(box, p["alex"])[-1].args["text"]
    assert len(dms_to(box, p["sam"])) == 1 + 5  # the first DM, then five nudges


def test_done_in_a_nudge_stops_every_later_nudge_and_tells_the_channel(box):
    p = ids(box)
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["retrofit"])
    nudge_run(box, at(8, 10))
    nudge = dms_to(box, p["sam"])[-1]
    message = {**nudge.result["message"], "ts": nudge.result["ts"]}
    reply = box.driver.block_action(
        {"action_id": DONE, "type": "button", "value": str(rows(box, Commitment)[0].id)},
        user=p["sam"],
        channel=nudge.result["channel"],
        message=message,
    )
    box.wait()
    assert reply.status == 200
    updated = box.emulator.calls_to("response_url")[-1]
    assert updated.args["replace_original"] is True and "✅ *Done*" in str(updated.args["blocks"])
    thread = [c for c in box.emulator.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert "✅ Done" in thread[-1].args["text"]
    assert "marked done" in dms_to(box, p["alex"])[-1].args["text"]
    assert [nudge_run(box, at(day, 10)) for day in (11, 15, 17, 21, 23)] == [[]] * 5
    assert rows(box, Commitment)[0].status == "done"


def test_snooze_moves_the_reminder_not_the_due_date_and_twice_does_no_harm(box, clock):
    p = ids(box)
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["retrofit"])
    clock.now = at(8, 10)
    nudge_run(box, clock.now)
    value = str(rows(box, Commitment)[0].id)
    for _ in range(2):
        box.driver.block_action(
            {"action_id": SNOOZE_DAY, "type": "button", "value": value},
            user=p["sam"],
            channel=p["sam"],
        )
        box.wait()
    assert (
        "Snoozed: I'll remind you again on Wed 09 Dec"
        in box.emulator.calls_to("response_url")[-2].args["text"]
    )
    assert "Already snoozed" in box.emulator.calls_to("response_url")[-1].args["text"]
    [line] = nudge_run(box, at(9, 10))
    assert "snoozed" in line and rows(box, Commitment)[0].due_date == date(2026, 12, 11)
    assert nudge_run(box, at(9, 11)) == []
    assert "due" in nudge_run(box, at(11, 10))[0]  # the due-day reminder still comes


def test_away_pauses_nudges_and_the_escalation_says_so(box, clock):
    p = ids(box)
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["retrofit"])
    reply = run(box, "away until 31 Dec", p["sam"], p["general"])
    assert "resume on Mon 04 Jan" in reply.args["text"]
    sent = []
    for day in range(1, 31):
        sent += nudge_run(box, at(day, 10))
    assert [line.split()[3] for line in sent] == ["escalation"]
    assert "is away until Thu 31 Dec" in dms_to(box, p["alex"])[-1].args["text"]
    run(box, "away off", p["sam"], p["general"])
    assert nudge_run(box, datetime(2027, 1, 4, 10, 0, tzinfo=UTC))  # one catch-up, not four


def test_an_owner_the_bot_cannot_dm_is_mentioned_in_the_thread(box):
    p = ids(box)
    run(box, "commit @kim Send the housing figures by 11 Dec", p["alex"], p["retrofit"])
    thread = [
        c for c in box.emulator.calls_to("chat.postMessage", ok=True) if c.args.get("thread_ts")
    ]
    assert f"<@{p['kim']}> this one is yours" in thread[-1].args["text"]
    [line] = nudge_run(box, at(8, 10))
    assert "thread mention" in line


def test_catch_up_after_an_outage_sends_only_the_newest_in_working_hours(box):
    p = ids(box)
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["retrofit"])
    assert nudge_run(box, at(16, 23, 0)) == []  # back at 23:00: too late in the day for a DM
    [line] = nudge_run(box, at(17, 9, 40))
    assert "overdue" in line  # the due and first overdue ones were superseded
    statuses = [n.status for n in rows(box, Nudge) if n.recipient_id == p["sam"]]
    assert statuses.count("sent") == 1 and statuses.count("superseded") == 3


def test_two_runs_at_once_send_each_nudge_once(box):
    p = ids(box)
    for n in range(12):
        run(box, f"commit @sam @priya Task {n} by 11 Dec", p["alex"], p["retrofit"])
    before = len(box.emulator.calls_to("chat.postMessage"))
    results: list[list[str]] = []
    threads = [
        threading.Thread(target=lambda: results.append(nudge_run(box, at(8, 10)))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(len(r) for r in results) == 24
    assert len(box.emulator.calls_to("chat.postMessage")) - before == 24


def test_buttons_naming_another_workspaces_or_a_done_commitment_change_nothing(box):
    p = ids(box)
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["retrofit"])
    value = str(rows(box, Commitment)[0].id)
    box.driver.block_action(
        {"action_id": DONE, "type": "button", "value": "999999"}, user=p["sam"], channel=p["sam"]
    )
    box.wait()
    assert "isn't here any more" in box.emulator.calls_to("response_url")[-1].args["text"]
    box.driver.block_action(
        {"action_id": DONE, "type": "button", "value": value}, user=p["priya"], channel=p["priya"]
    )
    box.wait()
    assert "Only its owners" in box.emulator.calls_to("response_url")[-1].args["text"]
    for _ in range(2):
        box.driver.block_action(
            {"action_id": DONE, "type": "button", "value": value}, user=p["sam"], channel=p["sam"]
        )
        box.wait()
    assert "already done" in box.emulator.calls_to("response_url")[-1].args["text"]
    assert len([a for a in rows(box, AuditEntry) if a.entity == "commitment"]) == 2


def test_a_done_button_naming_another_workspaces_commitment_changes_nothing(box):
    from knowledge.commitments import Owner, record_commitment

    p = ids(box)
    with box.bot.services.sessions() as session:
        theirs = record_commitment(
            session,
            team_id="T0ELSEWHERE",
            created_by="UTHEM",
            creator_tz="Europe/London",
            channel_id="C0THEIRS",
            owners=[Owner("UTHEM", "Europe/London")],
            action="Their action",
            due=date(2026, 12, 11),
            now=box.bot.services.clock(),
        )
    box.driver.block_action(
        {"action_id": DONE, "type": "button", "value": str(theirs.id)},
        user=p["alex"],
        channel=p["general"],
    )
    box.wait()
    assert "isn't here any more" in box.emulator.calls_to("response_url")[-1].args["text"]
    assert rows(box, Commitment)[0].status == "open"


def test_a_person_who_left_cannot_be_given_a_commitment(box):
    p = ids(box)
    box.emulator.workspace.users[p["jo"]].deleted = True
    reply = run(box, "commit @jo Share the map by 11 Dec", p["alex"], p["general"])
    assert "I can't find" in reply.args["text"] and rows(box, Commitment) == []


def test_the_home_tab_lists_my_open_commitments(box):
    p = ids(box)
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["retrofit"])
    box.driver.event({"type": "app_home_opened", "user": p["sam"], "tab": "home"})
    box.wait()
    shown = str(box.emulator.calls_to("views.publish", ok=True)[-1].args["view"]["blocks"])
    assert "*Share the map*, due Fri 11 Dec 2026 (in 18 days)" in shown


def test_an_owners_dm_says_new_commitment_once(box):
    p = ids(box)
    run(box, "commit @sam Share the map by 11 Dec", p["alex"], p["general"])
    [dm] = [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args["channel"] == p["sam"]
    ]
    assert dm.args["text"].startswith("New commitment for you: Share the map")
    assert dm.args["text"].count("New commitment for you") == 1
