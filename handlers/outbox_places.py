"""Where the outbox's messages go and what they leave behind: a reply goes in the thread of a
message that may itself still be owed ("commitment:12" is the thread of that commitment's
announcement, once posted), and a posted message's ts is kept where later work needs it (a
commitment's thread, a breakout question's card, a scoring round's message)."""

from collections.abc import Callable

from sqlmodel import Session

from knowledge.breakout import set_card
from knowledge.commitments import set_thread
from knowledge.scoring import set_round_message
from storage.models import BreakoutQuestion, BreakoutRound, Commitment, ScoringRound


def _record_commitment(session: Session, row_id: int, ts: str) -> None:
    commitment = session.get(Commitment, row_id)
    if commitment is not None and not commitment.thread_ts:
        set_thread(session, commitment, ts)


def _record_card(session: Session, row_id: int, ts: str) -> None:
    question = session.get(BreakoutQuestion, row_id)
    if question is not None:
        set_card(session, question, ts)


def _record_round(session: Session, row_id: int, ts: str) -> None:
    scoring = session.get(ScoringRound, row_id)
    if scoring is not None:
        set_round_message(session, scoring, ts)


RECORDERS: dict[str, Callable[[Session, int, str], None]] = {
    "commitment": _record_commitment,
    "breakout_question": _record_card,
    "scoring_round": _record_round,
}


def thread_of(session: Session, reference: str) -> tuple[str, str] | None:
    """(channel, ts) of the message a reply goes under, once it has been posted."""
    table, _, row_id = reference.partition(":")
    if table == "commitment":
        commitment = session.get(Commitment, int(row_id))
        if commitment and commitment.channel_id and commitment.thread_ts:
            return commitment.channel_id, commitment.thread_ts
    elif table == "breakout_question":
        question = session.get(BreakoutQuestion, int(row_id))
        round_ = session.get(BreakoutRound, question.round_id) if question else None
        if question and round_ and question.card_ts:
            return round_.channel_id, question.card_ts
    elif table == "scoring_round":
        scoring = session.get(ScoringRound, int(row_id))
        if scoring and scoring.message_ts:
            return scoring.channel_id, scoring.message_ts
    return None


def record(session: Session, reference: str, ts: str) -> None:
    """Keep a posted message's ts where `reference` ("commitment:12") says."""
    table, _, row_id = reference.partition(":")
    RECORDERS[table](session, int(row_id), ts)
