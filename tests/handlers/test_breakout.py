"""A whole breakout through the real Bolt path: named and anonymous answers, timers moved by the
clock, the summary with themes, saved as a briefing note and found by /partners ask."""

import itertools
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.emulator import User
from bot.sandbox import Sandbox
from bot.timers import run_breakout_timers
from handlers.breakout_blocks import ANONYMOUS, ANSWER, CLOSE, COMMIT, NEXT, SAVE
from storage.models import AuditEntry, BreakoutAnswer, BreakoutRound, Commitment, Entry
from tests.conftest import assert_messages_are_safe
from tests.handlers.test_commitments import Clock

counter = itertools.count(1)


@pytest.fixture
def clock():
    return Clock(datetime(2026, 11, 24, 10, 0, tzinfo=UTC))


@pytest.fixture
def box(settings, clock):
    with Sandbox(settings, clock=clock) as sandbox:
        ws = sandbox.emulator.workspace
        for n in range(4):  # a coaching session needs a few more people
            ws.add_user(User(id=f"U0SHELLP{n}", name=f"participant{n}", real_name=f"P {n}"))
        yield sandbox
        assert_messages_are_safe(sandbox)


def ids(box):
    ws = box.emulator.workspace
    people = {name: ws.user_named(name).id for name in ("alex", "sam", "priya", "jo")}
    return people | {
        "channel": ws.channel_named("retrofit-partnership").id,
        "others": [f"U0SHELLP{n}" for n in range(4)],
    }


def run(box, text, user, channel):
    reply = box.driver.command(text, user=user, channel=channel)
    box.wait()
    assert reply.status == 200 and reply.seconds < 3
    return box.emulator.calls_to("response_url")[-1]


def rows(box, table):
    with box.bot.services.sessions() as session:
        return list(session.exec(select(table)))


def cards(box, channel):
    return [
        c
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args["channel"] == channel
        and not c.args.get("thread_ts")
        and "Question" in c.args["text"]
    ]


def thread(box, ts):
    return [
        c.args
        for c in box.emulator.calls_to("chat.postMessage", ok=True)
        if c.args.get("thread_ts") == ts
    ]


def press(box, action_id, user, channel, value):
    reply = box.driver.block_action(
        {"action_id": action_id, "type": "button", "value": value}, user=user, channel=channel
    )
    box.wait()
    assert reply.status == 200


def answer_by_form(box, user, channel, value, text, *, anonymous):
    press(box, ANONYMOUS if anonymous else ANSWER, user, channel, value)
    view = box.emulator.calls_to("views.open", ok=True)[-1].result["view"]
    reply = box.driver.view_submission(
        view, {"answer": {"answer": {"type": "plain_text_input", "value": text}}}, user=user
    )
    box.wait()
    return view, reply


def test_decks_are_listed_with_their_questions(box):
    p = ids(box)
    listed = run(box, "breakout decks", p["alex"], p["channel"])
    shown = str(listed.args["blocks"])
    for slug in (
        "effective-partnerships",
        "governing-partnerships",
        "six-rules-for-clarity",
        "strategic-partners-in-transformation",
        "partnership-health-check",
    ):
        assert slug in shown
    assert "What is certain to derail them?" in shown


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("breakout efective-partnerships", "Did you mean `effective-partnerships`?"),
        ("breakout", "Which deck, or which question?"),
        ("breakout effective-partnerships for 500m", "between 1 and 120 minutes"),
        ('breakout ""', "The question is empty"),
    ],
)
def test_bad_breakouts_say_why_and_start_nothing(box, text, said):
    p = ids(box)
    assert said in run(box, text, p["alex"], p["channel"]).args["text"]
    assert rows(box, BreakoutRound) == []


def test_a_whole_deck_with_named_and_anonymous_answers_timers_and_themes(box, clock):
    p = ids(box)
    run(box, "breakout effective-partnerships for 10m", p["alex"], p["channel"])
    [round_] = rows(box, BreakoutRound)
    value = str(round_.id)
    [card] = cards(box, p["channel"])
    assert "Question 1 of 4" in card.args["text"] and "time's up at 10:10" in str(
        card.args["blocks"]
    )
    card_ts = card.result["ts"]
    # named answers in the thread, and by form; anonymous ones by form
    box.driver.reply_in_thread(
        "Trust between partners has to come first",
        user=p["sam"],
        channel=p["channel"],
        thread_ts=card_ts,
    )
    box.driver.reply_in_thread(
        "Building trust takes time and honesty",
        user=p["priya"],
        channel=p["channel"],
        thread_ts=card_ts,
    )
    box.wait()
    answer_by_form(
        box, p["jo"], p["channel"], value, "Clear shared goals agreed by everyone", anonymous=False
    )
    for person, text in zip(
        p["others"][:3],
        [
            "Goals that all partners signed up to",
            "Without trust nothing else works",
            "Mutually agreed goals and outcomes",
        ],
        strict=True,
    ):
        answer_by_form(box, person, p["channel"], value, text, anonymous=True)
    # anonymous answers are held back until the question closes, and carry no author
    anonymous = [a for a in rows(box, BreakoutAnswer) if a.anonymous]
    assert len(anonymous) == 3 and {a.author_id for a in anonymous} == {None}
    assert not any("Without trust" in t["text"] for t in thread(box, card_ts))
    assert not any(a.actor_id in p["others"] for a in rows(box, AuditEntry))
    # the clock: two minutes left, then time's up, from the database, not from sleeping
    assert run_breakout_timers(box.bot.services, box.bot.app.client, clock.now) == []
    run_breakout_timers(box.bot.services, box.bot.app.client, clock.now + timedelta(minutes=8))
    run_breakout_timers(box.bot.services, box.bot.app.client, clock.now + timedelta(minutes=10))
    box.wait()
    texts = [t["text"] for t in thread(box, card_ts)]
    assert "⏳ 2 minutes left." in texts and "⌛ Time's up for this question." in texts
    revealed = [t for t in texts if t.startswith("🔓 *Anonymous answers*")]
    assert revealed and all(
        a in revealed[0] for a in ("Without trust", "Mutually agreed", "signed up")
    )
    # a second time's-up never comes: the timer row was claimed and finished
    assert (
        run_breakout_timers(box.bot.services, box.bot.app.client, clock.now + timedelta(minutes=11))
        == []
    )
    # only the facilitator moves on
    press(box, NEXT, p["sam"], p["channel"], value)
    assert "Only the facilitator" in box.emulator.calls_to("response_url")[-1].args["text"]
    press(box, NEXT, p["alex"], p["channel"], value)
    assert "Question 2 of 4" in cards(box, p["channel"])[-1].args["text"]
    second_ts = cards(box, p["channel"])[-1].result["ts"]
    box.driver.reply_in_thread(
        "Council departments working in silos",
        user=p["sam"],
        channel=p["channel"],
        thread_ts=second_ts,
    )
    box.wait()
    answer_by_form(
        box, p["others"][0], p["channel"], value, "Silos slow every decision", anonymous=True
    )
    press(box, CLOSE, p["alex"], p["channel"], value)
    summary = thread(box, second_ts)[-1]
    shown = str(summary["blocks"])
    assert "Themes: Effective partnerships" in shown
    # themes named by a phrase of their most central answer, in its own words
    assert re.search(r"\*[^*]*[Tt]rust[^*]*\* \(\d\)", shown)
    assert re.search(r"\*[^*]*[Gg]oals[^*]*\* \(\d\)", shown)
    assert "1 anonymous answer held back" in shown  # two people answered question 2
    assert "Silos slow every decision" not in shown
    assert rows(box, BreakoutRound)[0].status == "closed"
    # save the summary as a briefing note: found by /partners ask at once
    press(box, SAVE, p["alex"], p["channel"], value)
    [note] = [e for e in rows(box, Entry) if e.kind == "brief"]
    assert "breakout" in note.tags and "effective-partnerships" in note.tags
    found = run(box, "ask breakout themes effective partnerships", p["sam"], p["channel"])
    assert "Breakout themes: Effective partnerships" in str(found.args["blocks"])
    press(box, SAVE, p["alex"], p["channel"], value)
    assert "already saved" in box.emulator.calls_to("response_url")[-1].args["text"]
    # a second close and Next on a closed round change nothing
    for action in (CLOSE, NEXT):
        press(box, action, p["alex"], p["channel"], value)
        assert "already closed" in box.emulator.calls_to("response_url")[-1].args["text"]


def test_an_answer_turns_into_a_commitment(box):
    p = ids(box)
    run(box, 'breakout "What will we do next?"', p["alex"], p["channel"])
    value = str(rows(box, BreakoutRound)[0].id)
    answer_by_form(
        box, p["sam"], p["channel"], value, "Map the local supply chain", anonymous=False
    )
    press(box, CLOSE, p["alex"], p["channel"], value)
    press(box, COMMIT, p["alex"], p["channel"], value)
    view = box.emulator.calls_to("views.open", ok=True)[-1].result["view"]
    reply = box.driver.view_submission(
        view,
        {
            "answer": {"answer": {"type": "static_select", "selected_option": {"value": "0"}}},
            "action": {"action": {"type": "plain_text_input", "value": None}},
            "owners": {"owners": {"type": "multi_users_select", "selected_users": [p["sam"]]}},
            "due": {"due": {"type": "datepicker", "selected_date": "2026-12-18"}},
        },
        user=p["alex"],
    )
    box.wait()
    assert reply.status == 200
    [commitment] = rows(box, Commitment)
    assert commitment.action == "Map the local supply chain"


def test_bad_answers_and_buttons_change_nothing(box):
    p = ids(box)
    run(box, "breakout partnership-health-check", p["alex"], p["channel"])
    value = str(rows(box, BreakoutRound)[0].id)
    _, empty = answer_by_form(box, p["sam"], p["channel"], value, "   ", anonymous=False)
    assert empty.json()["errors"]["answer"] == "The answer is empty."
    _, huge = answer_by_form(box, p["sam"], p["channel"], value, "x" * 3001, anonymous=True)
    assert "under 3,000 characters" in huge.json()["errors"]["answer"]
    assert rows(box, BreakoutAnswer) == []
    again = run(box, "breakout effective-partnerships", p["sam"], p["channel"])
    assert "already running here" in again.args["text"]
    press(box, CLOSE, p["sam"], p["channel"], value)
    assert "Only the facilitator" in box.emulator.calls_to("response_url")[-1].args["text"]
    press(box, CLOSE, p["alex"], p["channel"], "999999")
    assert "isn't here" in box.emulator.calls_to("response_url")[-1].args["text"]
    assert rows(box, BreakoutRound)[0].status == "open"


def test_rounds_run_in_two_channels_at_once(box):
    p = ids(box)
    general = box.emulator.workspace.channel_named("general").id
    run(box, "breakout effective-partnerships", p["alex"], p["channel"])
    run(box, "breakout six-rules-for-clarity", p["sam"], general)
    assert {r.channel_id for r in rows(box, BreakoutRound) if r.status == "open"} == {
        p["channel"],
        general,
    }


def test_time_up_on_the_last_question_closes_the_round_with_its_summary(box, clock):
    p = ids(box)
    run(box, 'breakout "What gets in the way?" for 5m', p["alex"], p["channel"])
    card_ts = cards(box, p["channel"])[-1].result["ts"]
    for person, text in [
        (p["sam"], "Funding timescales are far too short"),
        (p["priya"], "Short funding windows"),
        (p["jo"], "Silos between teams"),
    ]:
        box.driver.reply_in_thread(text, user=person, channel=p["channel"], thread_ts=card_ts)
    box.wait()
    lines = run_breakout_timers(
        box.bot.services, box.bot.app.client, clock.now + timedelta(minutes=5)
    )
    box.wait()
    assert lines == ["up round 1 question 1"]  # the warning, late, is not sent after time's up
    assert rows(box, BreakoutRound)[0].status == "closed"
    section = thread(box, card_ts)[-1]["blocks"][1]["text"]["text"]
    assert "• *Short funding windows* (2)" in section and "Silos between teams" in section


def test_a_button_naming_another_workspaces_round_finds_nothing(box):
    from knowledge import breakout as rounds

    p = ids(box)
    with box.bot.services.sessions() as session:
        theirs, _ = rounds.start_round(
            session,
            team_id="T0ELSEWHERE",
            channel_id="C0THEIRS",
            facilitator_id="UTHEM",
            plan=rounds.parse_breakout("effective-partnerships"),
            now=box.bot.services.clock(),
        )
    box.driver.block_action(
        {"action_id": CLOSE, "type": "button", "value": str(theirs.id)},
        user=p["alex"],
        channel=p["channel"],
    )
    box.wait()
    assert "isn't here" in box.emulator.calls_to("response_url")[-1].args["text"]
    assert rows(box, BreakoutRound)[0].status == "open"


def test_the_logs_never_say_who_answered_anonymously(box, caplog):
    import logging

    p = ids(box)
    run(box, "breakout effective-partnerships", p["alex"], p["channel"])
    value = str(rows(box, BreakoutRound)[0].id)
    with caplog.at_level(logging.INFO, logger="partnerbot.requests"):
        answer_by_form(box, p["others"][0], p["channel"], value, "A candid answer", anonymous=True)
    anonymous = [
        r
        for r in caplog.records
        if r.message == "slack request" and r.slack_id in (ANONYMOUS, "breakout_anonymous_form")
    ]
    assert len(anonymous) == 2 and all(r.user_id is None for r in anonymous)
    assert p["others"][0] not in caplog.text
    assert "A candid answer" not in caplog.text
