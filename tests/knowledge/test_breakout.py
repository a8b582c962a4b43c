"""Breakout rounds through the domain: plans, answers, reveal rules, timers across a restart."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from knowledge.breakout import (
    BreakoutError,
    add_answer,
    close_question,
    next_question,
    parse_breakout,
    start_round,
)
from storage import claims
from storage.db import make_engine
from storage.models import BreakoutTimer

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


def test_answers_go_to_the_open_question_only(session):
    round_, _ = start(session)
    add_answer(session, round_, number=0, text="Trust", author_id="U1", now=NOW, message_ts="1.1")
    with pytest.raises(BreakoutError, match="Already counted"):
        add_answer(
            session, round_, number=0, text="Trust", author_id="U1", now=NOW, message_ts="1.1"
        )
    with pytest.raises(BreakoutError, match="has closed"):
        add_answer(session, round_, number=1, text="Too soon", author_id="U1", now=NOW)
    close_question(session, round_, NOW)
    with pytest.raises(BreakoutError, match="has closed"):
        add_answer(session, round_, number=0, text="Too late", author_id="U2", now=NOW)


def test_anonymous_answers_are_revealed_only_when_three_people_answered(session):
    round_, _ = start(session)
    add_answer(session, round_, number=0, text="Named", author_id="U1", now=NOW)
    add_answer(session, round_, number=0, text="Secret one", author_id=None, now=NOW)
    closed = close_question(session, round_, NOW)
    assert (closed.revealed, closed.held_back) == ((), 1)
    assert close_question(session, round_, NOW) is None  # a second close does nothing
    next_question(session, round_, NOW)
    for text in ("A", "B", "C"):
        add_answer(session, round_, number=1, text=text, author_id=None, now=NOW)
    assert sorted(close_question(session, round_, NOW).revealed) == ["A", "B", "C"]


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
