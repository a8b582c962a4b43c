"""Questions nobody could answer: sent to the facilitators, answered as a lesson or briefing
note, and the asker told. The answer is an ordinary entry, titled with the question, so the same
question asked again finds it."""

from dataclasses import replace
from datetime import datetime

from sqlalchemy import ColumnElement, or_, update
from sqlmodel import Session, col, select

from knowledge.entries import Draft, save_entry
from knowledge.text import STOP_WORDS, words
from storage.models import Entry, LessonWanted

SUGGESTED_TAGS = 3


class AlreadyAnswered(ValueError):
    """Someone answered the question first; their answer stands."""

    def __init__(self, question: LessonWanted) -> None:
        super().__init__("already answered")
        self.question = question


def question_in(session: Session, *, team_id: str, question_id: int) -> LessonWanted | None:
    """A question of this workspace (None for another workspace's id, or none at all)."""
    found = session.get(LessonWanted, question_id)
    return found if found is not None and found.team_id == team_id else None


def mark_sent(session: Session, *, team_id: str, question_id: int, now: datetime) -> None:
    """Record that the question went to the facilitators."""
    question = question_in(session, team_id=team_id, question_id=question_id)
    if question is not None:
        question.sent_at = now
        session.add(question)
        session.commit()


def suggested_tags(question: str) -> tuple[str, ...]:
    """Tags for an answer, from the question's longest words ("retrofit contractors" →
    retrofit, contractors)."""
    seen: list[str] = []
    for word in sorted(words(question), key=len, reverse=True):
        if word not in STOP_WORDS and len(word) > 3 and word.isalpha() and word not in seen:
            seen.append(word)
    return tuple(seen[:SUGGESTED_TAGS])


def open_questions(
    session: Session, *, team_id: str, channel_id: str | None = None, limit: int = 10
) -> list[LessonWanted]:
    """Questions waiting for an answer, oldest first: public ones, and those asked in
    `channel_id` if it is private."""
    visible: ColumnElement[bool] = col(LessonWanted.private).is_(False)
    if channel_id is not None:
        visible = or_(visible, col(LessonWanted.channel_id) == channel_id)
    statement = (
        select(LessonWanted)
        .where(LessonWanted.team_id == team_id)
        .where(col(LessonWanted.answered_at).is_(None))
        .where(visible)
        .order_by(col(LessonWanted.created_at))
        .limit(limit)
    )
    return list(session.exec(statement))


def questions_asked_by(
    session: Session, *, team_id: str, user_id: str, limit: int = 10
) -> list[tuple[LessonWanted, Entry | None]]:
    """Someone's questions, newest first, each with its answer if it has one."""
    statement = (
        select(LessonWanted)
        .where(LessonWanted.team_id == team_id)
        .where(LessonWanted.asked_by == user_id)
        .order_by(col(LessonWanted.created_at).desc())
        .limit(limit)
    )
    found = []
    for question in session.exec(statement):
        answer = session.get(Entry, question.answer_id) if question.answer_id else None
        found.append((question, answer if answer and answer.deleted_at is None else None))
    return found


def answer_question(
    session: Session,
    *,
    team_id: str,
    question_id: int,
    draft: Draft,
    user_id: str,
    now: datetime,
) -> tuple[LessonWanted, Entry]:
    """Save the answer as a lesson or note and mark the question answered, both or neither.
    Raises AlreadyAnswered if someone else answered first, LookupError if there is no such
    question in this workspace, EntryError if the answer cannot be saved."""
    question = question_in(session, team_id=team_id, question_id=question_id)
    if question is None:
        raise LookupError(question_id)
    if question.answered_at is not None:
        raise AlreadyAnswered(question)
    # a question asked in a private channel is answered there only
    draft = replace(draft, private=question.private)
    claimed = session.execute(
        update(LessonWanted)
        .where(col(LessonWanted.id) == question_id)
        .where(col(LessonWanted.answered_at).is_(None))
        .values(answered_at=now, answered_by=user_id)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        session.refresh(question)  # who beat us to it
        raise AlreadyAnswered(question)
    try:
        entry = save_entry(
            session,
            team_id=team_id,
            draft=draft,
            author_id=user_id,
            channel_id=question.channel_id,
            now=now,
        )
    except Exception:
        session.rollback()  # the claim goes with it: the question is open again
        raise
    session.refresh(question)
    question.answer_id = entry.id
    session.add(question)
    session.commit()
    return question, entry
