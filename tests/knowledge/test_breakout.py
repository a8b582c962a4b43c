"""Breakout rounds through the domain: plans, answers, reveal rules, timers across a restart."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from knowledge.breakout import (
    BreakoutError,
    add_answer,
    answers,
    close_question,
    next_question,
    parse_breakout,
    question,
    start_round,
)
from storage import claims
from storage.db import make_engine
from storage.keyring import Keyring
from storage.models import BreakoutTimer
from tests.conftest import TEST_KEYRING

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


def start(session, text="effective-partnerships for 10m", channel="C1"):
    return start_round(
        session,
        team_id="T1",
        channel_id=channel,
        facilitator_id="UF",
        plan=parse_breakout(text),
        now=NOW,
    )


def test_plans_from_decks_and_questions():
    deck = parse_breakout("Effective Partnerships for 10 minutes")
    assert (deck.deck, len(deck.questions), deck.minutes) == ("effective-partnerships", 4, 10)
    own = parse_breakout("“What surprised you?” for 5m")
    assert (own.questions, own.deck, own.minutes) == (("What surprised you?",), None, 5)
    with pytest.raises(BreakoutError, match="Did you mean `six-rules-for-clarity`"):
        parse_breakout("six rules for clarty")


def answer(session, round_, number, text, person, *, anonymous=False, **more):
    return add_answer(
        session,
        round_,
        number=number,
        text=text,
        person_id=person,
        anonymous=anonymous,
        keyring=TEST_KEYRING,
        now=NOW,
        **more,
    )


def test_answers_go_to_the_open_question_only(session):
    round_, _ = start(session)
    answer(session, round_, 0, "Trust", "U1", message_ts="1.1")
    with pytest.raises(BreakoutError, match="Already counted"):
        answer(session, round_, 0, "Trust", "U1", message_ts="1.1")
    with pytest.raises(BreakoutError, match="has closed"):
        answer(session, round_, 1, "Too soon", "U1")
    close_question(session, round_, NOW, TEST_KEYRING)
    with pytest.raises(BreakoutError, match="has closed"):
        answer(session, round_, 0, "Too late", "U2")


def test_anonymous_answers_are_revealed_only_when_three_people_answered(session):
    round_, _ = start(session)
    answer(session, round_, 0, "Named", "U1")
    answer(session, round_, 0, "Secret one", "U2", anonymous=True)
    closed = close_question(session, round_, NOW, TEST_KEYRING)
    assert (closed.revealed, closed.held_back) == ((), 1)
    assert close_question(session, round_, NOW, TEST_KEYRING) is None  # a second close: nothing
    next_question(session, round_, NOW)
    for text, person in (("A", "U1"), ("B", "U2"), ("C", "U3")):
        answer(session, round_, 1, text, person, anonymous=True)
    assert sorted(close_question(session, round_, NOW, TEST_KEYRING).revealed) == ["A", "B", "C"]


def test_one_person_padding_the_count_is_counted_once(session):
    """The facilitator gives two anonymous answers and one by name, a colleague one anonymous
    answer: two people, not four, so the colleague's answer is not revealed on its own."""
    round_, _ = start(session)
    answer(session, round_, 0, "Padding one", "UF", anonymous=True)
    answer(session, round_, 0, "Padding two", "UF", anonymous=True)
    answer(session, round_, 0, "By name", "UF")
    answer(session, round_, 0, "The colleague's candid answer", "U2", anonymous=True)
    keys = {a.person_key for a in answers(session, round_, 0) if a.anonymous}
    assert len(keys) == 2 and None not in keys  # one per person, while the question is open
    closed = close_question(session, round_, NOW, TEST_KEYRING)
    assert (closed.revealed, closed.held_back) == ((), 3)
    assert question(session, round_, 0).people == 2
    assert {a.person_key for a in answers(session, round_, 0)} == {None}  # wiped at close
    # a key rotation mid-round: the same person under the new key is still one person
    next_question(session, round_, NOW)
    rotated = Keyring(("a-new-key-put-first-" + "n" * 30, *TEST_KEYRING.keys))
    answer(session, round_, 1, "Before the rotation", "U4", anonymous=True)
    add_answer(session, round_, number=1, text="After it", person_id="U4", anonymous=True,
               keyring=rotated, now=NOW)  # fmt: skip
    answer(session, round_, 1, "Another", "U5", anonymous=True)
    assert close_question(session, round_, NOW, rotated).held_back == 3  # U4, U5: two people


def test_a_workspace_minimum_above_three_holds_more_back(session):
    round_, _ = start_round(
        session,
        team_id="T1",
        channel_id="C9",
        facilitator_id="UF",
        plan=parse_breakout('"Anything?"'),
        now=NOW,
        minimum=4,
    )
    for person in ("U1", "U2", "U3"):
        answer(session, round_, 0, f"From {person}", person, anonymous=True)
    assert close_question(session, round_, NOW, TEST_KEYRING).held_back == 3
    too_low = start_round(
        session,
        team_id="T1",
        channel_id="C8",
        facilitator_id="UF",
        plan=parse_breakout('"Anything?"'),
        now=NOW,
        minimum=1,
    )[0]
    assert too_low.minimum == 3  # never below three


def test_one_round_per_channel(session):
    start(session)
    with pytest.raises(BreakoutError, match="already running here"):
        start(session)
    start(session, channel="C2")


def test_timers_survive_a_restart_and_are_claimed_once(engine, settings):
    with Session(engine) as session:
        start(session)
    fresh = make_engine(settings.database_url)  # a new process, after a restart
    claimed: list[int] = []

    def claim():
        with Session(fresh) as session:
            due = claims.claim_due(
                session,
                BreakoutTimer,
                now=NOW + timedelta(minutes=10),
                stale_after=claims.LEASE,
                extra={"claim": claims.claim_token()},
            )
            claimed.extend(t.id for t in due)

    threads = [threading.Thread(target=claim) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(claimed) == 2 and len(set(claimed)) == 2  # the warning and time's up, once each
