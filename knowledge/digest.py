"""The weekly digest: for each channel with open commitments, what is due this week, what is
overdue, and what was done last week. Claimed per channel and week, so it is posted once."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from knowledge.commitments import DONE, OPEN
from knowledge.workdays import zone
from storage import claims
from storage.models import Commitment, DigestSent


@dataclass
class Digest:
    team_id: str
    channel_id: str
    week: date
    due_this_week: list[Commitment] = field(default_factory=list)
    overdue: list[Commitment] = field(default_factory=list)
    done_last_week: list[Commitment] = field(default_factory=list)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def digests(session: Session, *, today: date, tz: str) -> list[Digest]:
    """This week's digest for every channel that has open commitments (weeks begin on Monday
    where the council is)."""
    week = monday_of(today)
    last_week = datetime.combine(week - timedelta(days=7), time(), tzinfo=zone(tz))
    this_week = datetime.combine(week, time(), tzinfo=zone(tz))
    rows = session.exec(
        select(Commitment)
        .where(col(Commitment.channel_id).is_not(None))
        .where(col(Commitment.status).in_([OPEN, DONE]))
        .order_by(col(Commitment.due_date), col(Commitment.id))
    ).all()
    found: dict[tuple[str, str], Digest] = {}
    for commitment in rows:
        channel = commitment.channel_id or ""
        if channel.startswith("D"):
            continue
        digest = found.setdefault(
            (commitment.team_id, channel), Digest(commitment.team_id, channel, week)
        )
        if commitment.status == OPEN and commitment.due_date < today:
            digest.overdue.append(commitment)
        elif commitment.status == OPEN and commitment.due_date < week + timedelta(days=7):
            digest.due_this_week.append(commitment)
        elif (
            commitment.status == DONE
            and commitment.closed_at is not None
            and last_week <= commitment.closed_at < this_week
        ):
            digest.done_last_week.append(commitment)
    has_open = {(c.team_id, c.channel_id) for c in rows if c.status == OPEN}
    return [d for key, d in found.items() if key in has_open]


def claim_digest(session: Session, digest: Digest, *, now: datetime) -> bool:
    """True for the one process that gets to post this channel's digest this week."""
    row = DigestSent(team_id=digest.team_id, channel_id=digest.channel_id, week=digest.week, at=now)
    return claims.claim_once(session, row)
