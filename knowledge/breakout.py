"""Breakout rounds: questions asked one at a time, answers (named or anonymous), timers, and the
themes at the end. Anonymous answers carry no author anywhere: not in the row, not in the audit."""

import json
import random
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from knowledge.audit import record_change
from knowledge.breakout_people import count_people, person_key
from knowledge.decks import find_deck
from knowledge.themes import Themes, find_themes
from storage import claims
from storage.keyring import Keyring
from storage.models import (
    ANSWER_MAX,
    BreakoutAnswer,
    BreakoutQuestion,
    BreakoutRound,
    BreakoutTimer,
)

OPEN, CLOSED = "open", "closed"
WARNING, UP = "warning", "up"
WARN_BEFORE = timedelta(minutes=2)
REVEAL_FROM = 3  # the default (and least) number of people before anonymous answers show
QUESTION_MAX = 300
EXAMPLE = (
    '`/partners breakout effective-partnerships for 10m` or `/partners breakout "What worked?"`'
)
# looked for in the last DURATION_TAIL characters only: "for 10 minutes" is at the very end,
# and a run of 40,000 spaces must not be tried from every place in it
_DURATION = re.compile(
    r"(?:^|(?<=\s))for\s+(\d{1,6})\s*(?:m|min|mins|minute|minutes)$", re.IGNORECASE
)
DURATION_TAIL = 40
_QUOTED = re.compile(r'^["“”\'‘’](.*)["“”\'‘’]$', re.DOTALL)


class BreakoutError(ValueError):
    """Something a round cannot do as asked; the message says why."""


@dataclass(frozen=True)
class Plan:
    """What `/partners breakout …` asked for."""

    title: str
    questions: tuple[str, ...]
    deck: str | None
    minutes: int | None


def parse_breakout(text: str) -> Plan:
    """`DECK [for Nm]` or `"QUESTION" [for Nm]`; BreakoutError with a suggestion otherwise."""
    text = text.strip()
    minutes = None
    tail = len(text) - min(len(text), DURATION_TAIL)
    timed = _DURATION.search(text, tail)
    if timed:
        minutes = int(timed[1])
        if not 1 <= minutes <= 120:
            raise BreakoutError(f"Give each question between 1 and 120 minutes. {EXAMPLE}")
        text = text[: timed.start()].strip()
    if not text:
        raise BreakoutError(
            f"Which deck, or which question? {EXAMPLE}; `/partners breakout decks` lists the decks."
        )
    quoted = _QUOTED.match(text)
    if quoted:
        question = " ".join(quoted[1].split())
        if not question:
            raise BreakoutError(f"The question is empty. {EXAMPLE}")
        if len(question) > QUESTION_MAX:
            raise BreakoutError(f"Keep the question to {QUESTION_MAX} characters.")
        return Plan(title=question, questions=(question,), deck=None, minutes=minutes)
    deck, nearest = find_deck(text)
    if deck is None:
        hint = f" Did you mean `{nearest}`?" if nearest else ""
        raise BreakoutError(
            f"There is no deck called “{text[:60]}”.{hint} `/partners breakout "
            "decks` lists them; a question of your own goes in quotes."
        )
    return Plan(title=deck.title, questions=deck.questions, deck=deck.slug, minutes=minutes)


def start_round(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    facilitator_id: str,
    plan: Plan,
    now: datetime,
    minimum: int = REVEAL_FROM,
) -> tuple[BreakoutRound, BreakoutQuestion]:
    """Open a round in a channel (one at a time per channel) with its first question; its
    anonymous answers show only from `minimum` people (the workspace's setting, kept for the
    round so nobody can lower it once answers are in)."""
    running = session.exec(
        select(BreakoutRound)
        .where(BreakoutRound.team_id == team_id)
        .where(BreakoutRound.channel_id == channel_id)
        .where(BreakoutRound.status == OPEN)
    ).first()
    if running is not None:
        raise BreakoutError(
            f"A round (“{running.title}”) is already running here; close it "
            "first, or run this one in another channel."
        )
    round_ = BreakoutRound(
        team_id=team_id,
        channel_id=channel_id,
        facilitator_id=facilitator_id,
        deck=plan.deck,
        title=plan.title[:150],
        questions=json.dumps(list(plan.questions)),
        minutes=plan.minutes,
        created_at=now,
        salt=secrets.token_hex(16),
        minimum=max(REVEAL_FROM, minimum),
    )
    session.add(round_)
    session.flush()
    question = _ask(session, round_, 0, now)
    record_change(
        session,
        team_id=team_id,
        actor_id=facilitator_id,
        action="create",
        entity="breakout",
        entity_id=round_.id or 0,
        at=now,
        detail={"deck": plan.deck, "minutes": plan.minutes},
    )
    session.commit()
    return round_, question


def questions_of(round_: BreakoutRound) -> list[str]:
    return list(json.loads(round_.questions))


def _ask(session: Session, round_: BreakoutRound, number: int, now: datetime) -> BreakoutQuestion:
    ends = now + timedelta(minutes=round_.minutes) if round_.minutes else None
    question = BreakoutQuestion(
        team_id=round_.team_id,
        round_id=round_.id or 0,
        number=number,
        text=questions_of(round_)[number],
        started_at=now,
        ends_at=ends,
    )
    session.add(question)
    if ends is not None:
        if round_.minutes and round_.minutes > WARN_BEFORE.total_seconds() / 60:
            session.add(
                BreakoutTimer(
                    team_id=round_.team_id,
                    round_id=round_.id or 0,
                    number=number,
                    kind=WARNING,
                    due_at=ends - WARN_BEFORE,
                )
            )
        session.add(
            BreakoutTimer(
                team_id=round_.team_id, round_id=round_.id or 0, number=number, kind=UP, due_at=ends
            )
        )
    session.flush()
    return question


def question(
    session: Session, round_: BreakoutRound, number: int | None = None
) -> BreakoutQuestion:
    """A question of the round (the current one by default)."""
    wanted = round_.current if number is None else number
    found = session.exec(
        select(BreakoutQuestion)
        .where(BreakoutQuestion.round_id == round_.id)
        .where(BreakoutQuestion.number == wanted)
    ).one()
    return found


def round_by_card(
    session: Session, *, team_id: str, channel_id: str, card_ts: str
) -> tuple[BreakoutRound, BreakoutQuestion] | None:
    """The open round and question whose card a thread reply belongs to."""
    found = session.exec(
        select(BreakoutQuestion)
        .where(BreakoutQuestion.team_id == team_id)
        .where(BreakoutQuestion.card_ts == card_ts)
    ).first()
    if found is None:
        return None
    round_ = session.get(BreakoutRound, found.round_id)
    if round_ is None or round_.team_id != team_id or round_.channel_id != channel_id:
        return None
    return round_, found


def add_answer(
    session: Session,
    round_: BreakoutRound,
    *,
    number: int,
    text: str,
    person_id: str,
    anonymous: bool,
    keyring: Keyring,
    now: datetime,
    message_ts: str | None = None,
    once: str | None = None,
) -> BreakoutAnswer:
    """Keep an answer to an open question. Anonymous: no author, only a keyed hash of the
    person (so one person counts once however many they give; wiped when the question
    closes). With `once` (a submitted form's key), the same form counted twice raises
    claims.Repeat."""
    text = text.strip()
    if not text:
        raise BreakoutError("The answer is empty.")
    if len(text) > ANSWER_MAX:
        raise BreakoutError(
            f"Keep an answer under {ANSWER_MAX:,} characters (it has {len(text):,})."
        )
    if round_.status != OPEN or number != round_.current or question(session, round_).closed_at:
        raise BreakoutError("That question has closed; answers go to the current one.")
    if (
        message_ts
        and session.exec(
            select(BreakoutAnswer)
            .where(BreakoutAnswer.round_id == round_.id)
            .where(BreakoutAnswer.message_ts == message_ts)
        ).first()
    ):
        raise BreakoutError("Already counted.")
    if once is not None:
        claims.done_once(session, team_id=round_.team_id, key=once, at=now)
    answer = BreakoutAnswer(
        team_id=round_.team_id,
        round_id=round_.id or 0,
        number=number,
        author_id=None if anonymous else person_id,
        anonymous=anonymous,
        text=text,
        message_ts=message_ts,
        created_at=now,
        person_key=person_key(session, round_, keyring, person_id) if anonymous else None,
    )
    session.add(answer)
    session.commit()
    return answer


def set_card(session: Session, question: BreakoutQuestion, card_ts: str) -> None:
    """Where a question was posted: replies in its thread are answers."""
    question.card_ts = card_ts
    session.add(question)
    session.commit()


def save_note(session: Session, round_: BreakoutRound, note_id: int) -> None:
    """The briefing note a round's summary was saved as."""
    round_.note_id = note_id
    session.add(round_)
    session.commit()


@dataclass(frozen=True)
class Closed:
    """What closing a question revealed."""

    number: int
    revealed: tuple[str, ...]  # anonymous answers, in random order
    held_back: int  # anonymous answers not revealed (too few people answered)


def answers(session: Session, round_: BreakoutRound, number: int) -> list[BreakoutAnswer]:
    return list(
        session.exec(
            select(BreakoutAnswer)
            .where(BreakoutAnswer.round_id == round_.id)
            .where(BreakoutAnswer.number == number)
            .order_by(col(BreakoutAnswer.id))
        )
    )


def close_question(
    session: Session, round_: BreakoutRound, now: datetime, keyring: Keyring
) -> Closed | None:
    """Close the current question (None if it already was): its timers stop, the people who
    answered are counted and their keys wiped, and its anonymous answers are revealed
    together, shuffled, if the round's minimum of people answered."""
    current = question(session, round_)
    if current.closed_at is not None:
        return None
    given = answers(session, round_, current.number)
    current.closed_at = now
    current.people = count_people(given, round_, keyring)
    session.add(current)
    for answer in given:
        answer.person_key = None
        session.add(answer)
    for timer in session.exec(
        select(BreakoutTimer)
        .where(BreakoutTimer.round_id == round_.id)
        .where(BreakoutTimer.number == current.number)
        .where(BreakoutTimer.status == "pending")
    ):
        timer.status = "cancelled"
        session.add(timer)
    anonymous = [a.text for a in given if a.anonymous]
    session.commit()
    if current.people < round_.minimum:
        return Closed(current.number, (), len(anonymous))
    random.SystemRandom().shuffle(anonymous)
    return Closed(current.number, tuple(anonymous), 0)


def next_question(
    session: Session, round_: BreakoutRound, now: datetime
) -> BreakoutQuestion | None:
    """Move on to the next question (the current one must be closed); None after the last."""
    if round_.status != OPEN:
        raise BreakoutError("This round is closed.")
    if round_.current + 1 >= len(questions_of(round_)):
        return None
    round_.current += 1
    session.add(round_)
    asked = _ask(session, round_, round_.current, now)
    session.commit()
    return asked


def close_round(session: Session, round_: BreakoutRound, *, actor_id: str, now: datetime) -> None:
    if round_.status != OPEN:
        raise BreakoutError("This round is already closed.")
    round_.status, round_.closed_at, round_.salt = CLOSED, now, None
    session.add(round_)
    record_change(
        session,
        team_id=round_.team_id,
        actor_id=actor_id,
        action="edit",
        entity="breakout",
        entity_id=round_.id or 0,
        at=now,
        detail={"status": CLOSED},
    )
    session.commit()


def summary(session: Session, round_: BreakoutRound) -> list[tuple[str, Themes, int]]:
    """For each question asked: its text, the themes in its answers, and how many anonymous
    answers were held back. Held-back answers are left out of the themes too, and so are those
    of a question not closed yet (its people are not counted until it closes)."""
    result = []
    for number, text in enumerate(questions_of(round_)[: round_.current + 1]):
        given = answers(session, round_, number)
        asked = question(session, round_, number)
        shown = asked.people is not None and asked.people >= round_.minimum
        texts = [a.text for a in given if shown or not a.anonymous]
        held = 0 if shown else sum(1 for a in given if a.anonymous)
        result.append((text, find_themes(texts, question=text), held))
    return result
