"""Health pulses: a partnership's members rate it, 1 to 5, on seven things the guides say make a
partnership work, and may add a comment. Answers are anonymous everywhere: no author in the
rows, the audit or the logs. While a pulse is open a hash of (pulse, person) keyed with the
deployment's own key lets a second answer replace the first; the hash and its salt are wiped
when it closes. Results are shown only once a pulse has closed with its minimum or more
answers (the workspace's setting when it opened, never below SHOW_FROM; fewer never, not even
as an average). Nobody sees how many have answered while it is open, only whether there are
enough; and it closes at its end, or earlier only once everyone asked has answered, so nobody
can pick the moment that would let them work out one person's ratings."""

import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import fmean

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from knowledge.audit import record_change
from knowledge.charts import TrendPoint
from knowledge.nudges import CANCELLED, PENDING, PULSE, SENT, Decision, Policy, put_off
from knowledge.workdays import next_nudge_instant
from storage.keyring import ANSWERS, Keyring
from storage.models import Nudge, Partnership, Pulse, PulseAnswer
from storage.rows import team_row

DIMENSIONS = {
    "goals": "Shared goals",
    "trust": "Trust",
    "communication": "Communication",
    "leadership": "Leadership",
    "governance": "Clarity of governance",
    "benefit": "Mutual benefit",
    "delivery": "Delivering what was promised",
}
SHOW_FROM = 3  # the least any pulse may show from (a workspace's minimum is 5 by default)
OPEN_FOR = timedelta(days=7)
TREND = 6  # pulses in the trend picture
COMMENT_MAX = 1000


class PulseError(ValueError):
    """A pulse that cannot be started or answered; the message says why, for the person."""


@dataclass(frozen=True)
class Result:
    """What a closed pulse may show: nothing but its count below the pulse's minimum."""

    pulse: Pulse
    answered: int
    averages: dict[str, float] | None  # None: too few answers to show anything
    comments: tuple[str, ...]  # shuffled; empty below the threshold

    @property
    def shown(self) -> bool:
        return self.averages is not None

    @property
    def minimum(self) -> int:
        return max(SHOW_FROM, self.pulse.minimum)


@dataclass(frozen=True)
class Health:
    """A partnership's health as the card, App Home and report show it."""

    open_pulse: Pulse | None
    open_enough: bool  # the open pulse has its minimum of answers (never how many, nor what)
    latest: Result | None  # the latest closed pulse
    trend: list[Result]  # the last TREND closed pulses that were shown, oldest first


def voter_keys(keyring: Keyring, pulse: Pulse, user_id: str) -> tuple[str, ...]:
    """Keys that tell two answers by one person apart from everyone else's, and nothing more:
    without the deployment's own key and the pulse's salt they cannot be traced back. One per
    key in PARTNERBOT_SECRET_KEY, newest first: an answer made before a rotation still counts
    as that person's."""
    return keyring.digests(ANSWERS, f"pulse:{pulse.id}:{pulse.salt}:{user_id}".encode())


def open_pulse_of(session: Session, partnership: Partnership) -> Pulse | None:
    """The partnership's open pulse, if any."""
    return session.exec(
        select(Pulse).where(Pulse.partnership_id == partnership.id).where(Pulse.status == "open")
    ).first()


def start_pulse(
    session: Session,
    partnership: Partnership,
    *,
    members: list[str],
    opened_by: str | None,
    now: datetime,
    period: str | None = None,
    minimum: int = 5,
) -> Pulse | None:
    """Open a pulse and owe each member a DM (nudge rows, sent exactly once); commits. None if
    this month's pulse was started by another process. `opened_by` None: the monthly one.
    `minimum`: the workspace's fewest answers to show anything, kept with the pulse."""
    if partnership.status != "open":
        raise PulseError(f"*{partnership.name}* is closed: it has no more pulses.")
    if (current := open_pulse_of(session, partnership)) is not None:
        raise PulseError(
            f"A pulse for *{partnership.name}* is already open, until "
            f"{current.closes_at:%a %d %b %Y %H:%M} UTC."
        )
    members = sorted(set(members))
    if not members:
        raise PulseError(
            f"*{partnership.name}* has no members to ask: give it a channel with people in it, "
            "or a lead officer."
        )
    pulse = Pulse(
        team_id=partnership.team_id,
        partnership_id=partnership.id or 0,
        period=period,
        invited=" ".join(members),
        salt=secrets.token_hex(16),
        opened_by=opened_by,
        opened_at=now,
        closes_at=now + OPEN_FOR,
        minimum=max(SHOW_FROM, minimum),
    )
    session.add(pulse)
    try:
        session.flush()
    except IntegrityError:  # this month's pulse: another process started it first
        session.rollback()
        return None
    # DMs an earlier pulse never sent would hold this one's places (the same person, at the
    # same 09:30): they are forgotten, so this pulse's are sent
    session.execute(
        delete(Nudge)
        .where(col(Nudge.partnership_id) == pulse.partnership_id)
        .where(col(Nudge.kind) == PULSE)
        .where(col(Nudge.status) != SENT)
    )
    for member in members:
        session.add(
            Nudge(
                team_id=pulse.team_id,
                partnership_id=pulse.partnership_id,
                recipient_id=member,
                kind=PULSE,
                due_at=now,
                about=now.date(),
            )
        )
    record_change(
        session,
        team_id=pulse.team_id,
        actor_id=opened_by or "partnerbot",
        action="create",
        entity="pulse",
        entity_id=pulse.id or 0,
        at=now,
        detail={"partnership": partnership.name, "invited": len(members)},
    )
    session.commit()
    session.refresh(pulse)
    return pulse


def answerable(session: Session, team_id: str, pulse_id: object, *, user_id: str) -> Pulse:
    """The pulse a button or form names, if this person may answer it now."""
    pulse = team_row(session, Pulse, team_id=team_id, row_id=pulse_id)
    if pulse is None:
        raise PulseError("That pulse isn't in this workspace.")
    if pulse.status != "open":
        raise PulseError("That pulse has closed: thank you all the same.")
    if user_id not in pulse.invited.split():
        raise PulseError("Only the partnership's members were asked for this pulse.")
    return pulse


def answer(
    session: Session,
    team_id: str,
    pulse_id: object,
    *,
    user_id: str,
    keyring: Keyring,
    ratings: dict[str, int],
    comment: str | None,
    now: datetime,
) -> bool:
    """Keep someone's answer, anonymously; commits. True if it replaced their earlier one.
    Nothing is audited or logged about who answered."""
    pulse = answerable(session, team_id, pulse_id, user_id=user_id)
    if now >= pulse.closes_at:
        raise PulseError("That pulse has closed: thank you all the same.")
    if set(ratings) != set(DIMENSIONS):
        missing = [DIMENSIONS[d] for d in DIMENSIONS if d not in ratings]
        raise PulseError("Rate every part, please: " + ", ".join(missing) + ".")
    if any(not isinstance(v, int) or not 1 <= v <= 5 for v in ratings.values()):
        raise PulseError("Each rating is a whole number from 1 to 5.")
    comment = (comment or "").strip() or None
    if comment and len(comment) > COMMENT_MAX:
        raise PulseError(f"Keep the comment under {COMMENT_MAX} characters, please.")
    keys = voter_keys(keyring, pulse, user_id)
    row = session.exec(
        select(PulseAnswer)
        .where(PulseAnswer.pulse_id == pulse.id)
        .where(col(PulseAnswer.voter_key).in_(keys))
    ).first()
    replaced = row is not None
    row = row or PulseAnswer.model_validate(
        {"team_id": team_id, "pulse_id": pulse.id, "voter_key": keys[0], **ratings}
    )
    row.voter_key = keys[0]
    for dimension, value in ratings.items():
        setattr(row, dimension, value)
    row.comment = comment
    session.add(row)
    session.commit()
    return replaced


def answered(session: Session, pulse: Pulse) -> int:
    """How many people have answered a pulse (never who, never what)."""
    return int(
        session.exec(
            select(func.count()).select_from(PulseAnswer).where(PulseAnswer.pulse_id == pulse.id)
        ).one()
    )


def close_pulse(session: Session, pulse: Pulse, *, now: datetime, by: str | None) -> Result | None:
    """Close a pulse: the voter keys and salt are wiped, so nothing links an answer to anyone
    any more; commits. None if it was already closed (by another process, say): only the one
    that closes it tells anyone. The result shows nothing below the pulse's minimum.

    A person (`by`) closes it before its end only once everyone asked has answered: choosing
    the moment (right after a third answer, say) is what would let them work one out."""
    if by is not None and now < pulse.closes_at:
        everyone = len(set(pulse.invited.split()))
        if answered(session, pulse) < everyone:
            raise PulseError(
                "A pulse closes on its own at its end, "
                f"{pulse.closes_at:%a %d %b %Y %H:%M} UTC, or earlier once everyone asked has "
                "answered: closing it at a moment someone chose could give an answer away."
            )
    claimed = session.execute(
        update(Pulse)
        .where(col(Pulse.id) == pulse.id)
        .where(col(Pulse.status) == "open")
        .values(status="closed", closed_at=now, salt=None)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        session.rollback()
        return None
    session.execute(
        update(PulseAnswer).where(col(PulseAnswer.pulse_id) == pulse.id).values(voter_key=None)
    )
    session.execute(  # DMs not yet sent would ask about a pulse that has gone
        update(Nudge)
        .where(col(Nudge.partnership_id) == pulse.partnership_id)
        .where(col(Nudge.kind) == PULSE)
        .where(col(Nudge.status) == PENDING)
        .values(status=CANCELLED)
    )
    record_change(
        session,
        team_id=pulse.team_id,
        actor_id=by or "partnerbot",
        action="edit",
        entity="pulse",
        entity_id=pulse.id or 0,
        at=now,
        detail={"closed": True},
    )
    session.commit()
    session.refresh(pulse)
    return result(session, pulse)


def result(session: Session, pulse: Pulse) -> Result:
    """A closed pulse's averages and shuffled comments, or only its count below its minimum (and
    nothing at all while it is open)."""
    rows = list(session.exec(select(PulseAnswer).where(PulseAnswer.pulse_id == pulse.id)))
    if pulse.status != "closed" or len(rows) < max(SHOW_FROM, pulse.minimum):
        return Result(pulse, len(rows), None, ())
    averages = {d: round(fmean(getattr(r, d) for r in rows), 1) for d in DIMENSIONS}
    comments = [r.comment for r in rows if r.comment]
    random.SystemRandom().shuffle(comments)
    return Result(pulse, len(rows), averages, tuple(comments))


def health(session: Session, partnership: Partnership) -> Health:
    """The open pulse (and how many have answered it), the latest closed one, and the trend."""
    current = open_pulse_of(session, partnership)
    closed = list(
        session.exec(
            select(Pulse)
            .where(Pulse.partnership_id == partnership.id)
            .where(Pulse.status == "closed")
            .order_by(col(Pulse.closed_at).desc(), col(Pulse.id).desc())
            .limit(TREND * 4)
        )
    )
    results = [result(session, p) for p in closed]
    shown = [r for r in results if r.shown][:TREND]
    enough = current is not None and answered(session, current) >= max(SHOW_FROM, current.minimum)
    return Health(
        open_pulse=current,
        open_enough=enough,
        latest=results[0] if results else None,
        trend=list(reversed(shown)),
    )


def trend_points(found: Health) -> list[TrendPoint]:
    """The trend picture's points: each shown pulse, labelled by the day it closed."""
    return [
        TrendPoint(f"{r.pulse.closed_at:%d %b %y}" if r.pulse.closed_at else "", r.averages)
        for r in found.trend
        if r.averages is not None
    ]


def overall(averages: dict[str, float]) -> float:
    """One figure for a pulse: the mean of its seven averages."""
    return round(fmean(averages.values()), 1)


def due_for_closing(session: Session, *, now: datetime) -> list[Pulse]:
    """Open pulses whose week is over, in every workspace."""
    return list(
        session.exec(
            select(Pulse)
            .where(Pulse.status == "open")
            .where(col(Pulse.closes_at) <= now)
            .order_by(col(Pulse.id))
        )
    )


def due_monthly(session: Session, *, now: datetime) -> list[Partnership]:
    """Open partnerships with a channel and no pulse yet this month (UTC months)."""
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    pulsed = select(Pulse.partnership_id).where(col(Pulse.opened_at) >= month_start)
    return list(
        session.exec(
            select(Partnership)
            .where(Partnership.status == "open")
            .where(col(Partnership.channel_id).is_not(None))
            .where(col(Partnership.id).not_in(pulsed))
            .order_by(col(Partnership.id))
        )
    )


def pulse_of(session: Session, nudge: Nudge) -> Pulse | None:
    """The open pulse a DM is owed for, if its recipient was asked."""
    pulse = session.exec(
        select(Pulse)
        .where(Pulse.partnership_id == nudge.partnership_id)
        .where(Pulse.status == "open")
    ).first()
    if pulse is None or nudge.about != pulse.opened_at.date():
        return None  # owed for an earlier pulse
    return pulse if nudge.recipient_id in pulse.invited.split() else None


def decide_pulse(
    nudge: Nudge, *, pulse: Pulse | None, tz: str, now: datetime, policy: Policy
) -> Decision:
    """A pulse's DM: dropped once the pulse has closed, put off to working hours where the
    member is if that is still well before it closes, else sent."""
    if pulse is None or pulse.status != "open" or now >= pulse.closes_at:
        return Decision(False, {"status": CANCELLED})
    when = next_nudge_instant(now, tz, policy.region)
    if when > now and when < pulse.closes_at - timedelta(days=1):
        return Decision(False, put_off(when))
    return Decision(True)


def set_chart(session: Session, pulse_id: int, file_id: str) -> None:
    """Remember the Slack file holding the trend picture drawn when this pulse closed."""
    pulse = session.get(Pulse, pulse_id)
    if pulse is not None:
        pulse.chart_file_id = file_id
        session.add(pulse)
        session.commit()
