"""Thread replies after the fact: an edited reply changes its answer, a deleted one removes it
(from the answers, and so from the themes), while its question is still open."""

from sqlmodel import Session, select

from knowledge.breakout import OPEN, question
from storage.models import ANSWER_MAX, BreakoutAnswer, BreakoutRound


def _replied(
    session: Session, *, team_id: str, channel_id: str, message_ts: str
) -> BreakoutAnswer | None:
    """The answer a thread reply gave, if its question is still open."""
    found = session.exec(
        select(BreakoutAnswer)
        .where(BreakoutAnswer.team_id == team_id)
        .where(BreakoutAnswer.message_ts == message_ts)
    ).first()
    if found is None:
        return None
    round_ = session.get(BreakoutRound, found.round_id)
    if round_ is None or round_.channel_id != channel_id or round_.status != OPEN:
        return None
    if found.number != round_.current or question(session, round_).closed_at is not None:
        return None  # a closed question's answers are what was revealed and themed
    return found


def edit_answer(
    session: Session, *, team_id: str, channel_id: str, message_ts: str, text: str
) -> bool:
    """A thread reply was edited: its answer says what it says now (an emptied reply is
    removed). False when the reply was no answer, or its question has closed."""
    found = _replied(session, team_id=team_id, channel_id=channel_id, message_ts=message_ts)
    if found is None:
        return False
    text = text.strip()
    if not text:
        session.delete(found)
    else:
        found.text = text[:ANSWER_MAX]
        session.add(found)
    session.commit()
    return True


def remove_answer(session: Session, *, team_id: str, channel_id: str, message_ts: str) -> bool:
    """A thread reply was deleted: its answer goes, from the answers and so from the themes."""
    found = _replied(session, team_id=team_id, channel_id=channel_id, message_ts=message_ts)
    if found is None:
        return False
    session.delete(found)
    session.commit()
    return True
