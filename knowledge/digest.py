"""The weekly digest: for each channel with open commitments or a partnership whose review is
due, what is due this week, what is overdue, what was done last week, and the reviews due
(within 30 days) or overdue. Claimed per channel and week, so it is posted once."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from knowledge.commitments import DONE, OPEN
from knowledge.register import DUE_WITHIN
from knowledge.workdays import zone
from storage import claims
from storage.models import Commitment, DigestSent, Partnership


@dataclass
class Digest:
    team_id: str
    channel_id: str
    week: date
    due_this_week: list[Commitment] = field(default_factory=list)
    overdue: list[Commitment] = field(default_factory=list)
    done_last_week: list[Commitment] = field(default_factory=list)
    reviews: list[Partnership] = field(default_factory=list)  # due or overdue, soonest first


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def digests(session: Session, *, today: date, tz: str) -> list[Digest]:
    """This week's digest for every channel that has open commitments or an open partnership
    whose review is due or overdue (weeks begin on Monday where the council is)."""
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
    for partnership in session.exec(
        select(Partnership)
        .where(Partnership.status == "open")
        .where(col(Partnership.channel_id).is_not(None))
        .where(col(Partnership.next_review) <= today + DUE_WITHIN)
        .order_by(col(Partnership.next_review), col(Partnership.id))
    ):
        key = (partnership.team_id, partnership.channel_id or "")
        found.setdefault(key, Digest(*key, week)).reviews.append(partnership)
    return [d for key, d in found.items() if key in has_open or d.reviews]


def claim_digest(session: Session, digest: Digest, *, now: datetime) -> bool:
    """True for the one process that gets to post this channel's digest this week."""
    row = DigestSent(team_id=digest.team_id, channel_id=digest.channel_id, week=digest.week, at=now)
    return claims.claim_once(session, row)
