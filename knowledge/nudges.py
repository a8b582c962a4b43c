"""Nudge policy and delivery bookkeeping. The database is the truth: each nudge is a row with a
unique key, claimed with a conditional update before it is sent and marked after, so no two
processes send it and no restart loses it."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from knowledge.audit import record_change
from knowledge.workdays import (
    add_working_days,
    local_today,
    next_nudge_instant,
    next_working_day,
    nudge_instant,
    previous_working_day,
)
from storage.models import Away, Commitment, CommitmentOwner, Nudge, NudgePolicy, Partnership

BEFORE, DUE, OVERDUE, ESCALATION, SNOOZED = "before", "due", "overdue", "escalation", "snoozed"
PULSE = "pulse"  # a health pulse's DM to a member (knowledge/pulses.py), not a reminder
PENDING, CLAIMED, SENT, CANCELLED, SUPERSEDED = (
    "pending",
    "claimed",
    "sent",
    "cancelled",
    "superseded",
)
ORDER = {BEFORE: 0, SNOOZED: 1, DUE: 1, OVERDUE: 2, ESCALATION: 3}


@dataclass(frozen=True)
class Policy:
    """When nudges go out (per workspace; these are the defaults)."""

    days_before: int = 3
    overdue_every: int = 2  # working days
    overdue_max: int = 3
    region: str = "ENG"  # whose bank holidays count: ENG, SCT or NIR


def plan_nudges(
    commitment: Commitment,
    *,
    owners: list[tuple[str, str]],
    creator_tz: str,
    now: datetime,
    policy: Policy,
    lead_id: str | None = None,
) -> list[Nudge]:
    """Every nudge a new commitment needs, at 09:30 on working days where each recipient is:
    before the due date, on it, while overdue, then one escalation to the creator and to the
    lead of its partnership (`lead_id`), unless the lead is the creator or an owner."""
    due, region = commitment.due_date, policy.region
    days = [
        (BEFORE, 0, add_working_days(due, -policy.days_before, region)),
        (DUE, 0, previous_working_day(due, region)),
    ]
    days += [
        (OVERDUE, n, add_working_days(due, policy.overdue_every * n, region))
        for n in range(1, policy.overdue_max + 1)
    ]
    nudges = []
    for user_id, tz in owners:
        planned = [(kind, n, nudge_instant(day, tz)) for kind, n, day in days]
        upcoming = [(kind, n, at) for kind, n, at in planned if at > now]
        if not any(kind in (BEFORE, DUE) for kind, _, _ in upcoming) and due >= local_today(
            now, tz
        ):
            # due today, and 09:30 has gone: remind as soon as it is working hours
            upcoming.insert(0, (DUE, 0, next_nudge_instant(now, tz, region)))
        nudges += [_nudge(commitment, user_id, kind, n, at) for kind, n, at in upcoming]
    escalate = add_working_days(due, policy.overdue_every * (policy.overdue_max + 1), region)
    at = nudge_instant(escalate, creator_tz)  # put off to the lead's working hours if need be
    nudges.append(_nudge(commitment, commitment.created_by, ESCALATION, 0, at))
    if lead_id and lead_id != commitment.created_by and lead_id not in dict(owners):
        nudges.append(_nudge(commitment, lead_id, ESCALATION, 0, at))
    return nudges


def follow_lead(session: Session, commitment: Commitment, lead_id: str | None) -> None:
    """A partnership's lead has changed: the escalation owed to its lead goes to the new one
    (at the instant the creator's is owed), or nowhere; the caller commits."""
    pending = session.exec(
        select(Nudge)
        .where(Nudge.commitment_id == commitment.id)
        .where(Nudge.kind == ESCALATION)
        .where(col(Nudge.status).in_([PENDING, CLAIMED]))
    ).all()
    creators = [n for n in pending if n.recipient_id == commitment.created_by]
    for nudge in pending:
        if nudge.recipient_id != commitment.created_by and nudge.status == PENDING:
            session.delete(nudge)
    session.flush()
    owners = session.exec(
        select(CommitmentOwner.user_id).where(CommitmentOwner.commitment_id == commitment.id)
    ).all()
    if creators and lead_id and lead_id != commitment.created_by and lead_id not in owners:
        session.add(_nudge(commitment, lead_id, ESCALATION, 0, creators[0].due_at))


def _nudge(commitment: Commitment, recipient: str, kind: str, number: int, at: datetime) -> Nudge:
    return Nudge(
        team_id=commitment.team_id,
        commitment_id=commitment.id or 0,
        recipient_id=recipient,
        kind=kind,
        number=number,
        due_at=at,
    )


@dataclass(frozen=True)
class Decision:
    """Send the nudge now, or else what to change on it instead (cancel, supersede, put off).
    The caller makes the change, only while it still holds the nudge's claim."""

    send: bool
    change: dict[str, Any] = field(default_factory=dict)


def put_off(when: datetime) -> dict[str, Any]:
    """A nudge put off until `when`, released for whichever process is running then."""
    return {"due_at": when, "status": PENDING, "claim": None}


def sent(*, channel: str, ts: str | None, now: datetime) -> dict[str, Any]:
    """What a delivered nudge records."""
    return {"status": SENT, "sent_at": now, "sent_to": channel, "message_ts": ts}


def decide(
    session: Session,
    nudge: Nudge,
    *,
    commitment: Commitment,
    tz: str,
    now: datetime,
    policy: Policy,
    away: Callable[[str], date | None] | None = None,
    later: list[Nudge] | None = None,
) -> Decision:
    """Send now, or put off (away, out of hours), or drop (done, superseded, or an escalation
    to someone who no longer leads the commitment's partnership). `away`: the last day a
    person is away, and `later`: the recipient's other reminders about it due by now, pending
    or claimed, when already known (a run reads them a batch at a time)."""
    if commitment.status != "open":
        return Decision(False, {"status": CANCELLED})
    if nudge.kind == ESCALATION and nudge.recipient_id != commitment.created_by:
        lead = session.get(Partnership, commitment.partnership_id or 0)
        if lead is None or lead.status != "open" or lead.lead_id != nudge.recipient_id:
            return Decision(False, {"status": CANCELLED})
    return settle(
        session,
        nudge,
        order=ORDER,
        tz=tz,
        now=now,
        policy=policy,
        pauses=nudge.kind != ESCALATION,
        away=away,
        later=later,
    )


def same_subject(nudge: Nudge) -> Any:
    """The SQL condition for reminders about the same thing as `nudge` (its commitment, the
    partnership whose review it is about, or a benefit)."""
    if nudge.partnership_id is not None:  # its review, not its pulses
        return (col(Nudge.partnership_id) == nudge.partnership_id) & (col(Nudge.kind) != PULSE)
    if nudge.benefit_id is not None:
        return col(Nudge.benefit_id) == nudge.benefit_id
    return col(Nudge.commitment_id) == nudge.commitment_id


def settle(
    session: Session,
    nudge: Nudge,
    *,
    order: dict[str, int],
    tz: str,
    now: datetime,
    policy: Policy,
    pauses: bool = True,
    away: Callable[[str], date | None] | None = None,
    later: list[Nudge] | None = None,
) -> Decision:
    """For a reminder still wanted: drop it if a later one is due too (missed while we were
    down: the newest speaks), put it off while its recipient is away (`pauses`) or out of
    hours, else send it."""
    if later is None:
        later = list(
            session.exec(
                select(Nudge)
                .where(same_subject(nudge))
                .where(Nudge.recipient_id == nudge.recipient_id)
                .where(col(Nudge.id) != nudge.id)
                .where(col(Nudge.status).in_([PENDING, CLAIMED]))
                .where(col(Nudge.due_at) <= now)
            )
        )
    if any(
        (order[n.kind], n.number, n.due_at) > (order[nudge.kind], nudge.number, nudge.due_at)
        for n in later
    ):
        return Decision(False, {"status": SUPERSEDED})
    today = local_today(now, tz)
    until = (
        away_until(session, team_id=nudge.team_id, user_id=nudge.recipient_id, today=today)
        if away is None
        else away(nudge.recipient_id)
    )
    if until is not None and until < today:
        until = None
    if until is not None and pauses:
        return Decision(
            False,
            put_off(nudge_instant(next_working_day(until + timedelta(days=1), policy.region), tz)),
        )
    when = next_nudge_instant(now, tz, policy.region)
    if when > now:  # out of hours where they are (a catch-up after an outage, say)
        return Decision(False, put_off(when))
    return Decision(True)


def add_snooze(session: Session, snoozed: Nudge) -> bool:
    """Add a snoozed reminder and drop its recipient's pending reminders about the same thing
    before it; commits. False (and nothing changes) if that reminder already exists."""
    try:
        session.add(snoozed)
        session.flush()
    except IntegrityError:  # pressed twice: the same reminder, at the same instant
        session.rollback()
        return False
    earlier = session.exec(
        select(Nudge)
        .where(same_subject(snoozed))
        .where(Nudge.recipient_id == snoozed.recipient_id)
        .where(Nudge.status == PENDING)
        .where(col(Nudge.due_at) < snoozed.due_at)
    ).all()
    for nudge in earlier:
        nudge.status = SUPERSEDED
        session.add(nudge)
    session.commit()
    return True


def replace_pending(session: Session, subject: Any, planned: list[Nudge]) -> None:
    """Forget the reminders about `subject` not yet sent and add `planned` instead (in the
    caller's transaction); one already sent is never sent again."""
    for nudge in session.exec(
        select(Nudge).where(subject).where(col(Nudge.status).in_([PENDING, CANCELLED, SUPERSEDED]))
    ).all():
        session.delete(nudge)
    session.flush()
    sent = {(n.recipient_id, n.kind, n.due_at) for n in session.exec(select(Nudge).where(subject))}
    for nudge in planned:
        if (nudge.recipient_id, nudge.kind, nudge.due_at) not in sent:
            session.add(nudge)


def snooze(session: Session, *, commitment: Commitment, user_id: str, until: datetime) -> bool:
    """Remind this person again at `until`, and drop their reminders before it; the due date
    does not move. False (and nothing changes) if that reminder already exists."""
    return add_snooze(
        session,
        Nudge(
            team_id=commitment.team_id,
            commitment_id=commitment.id or 0,
            recipient_id=user_id,
            kind=SNOOZED,
            due_at=until,
        ),
    )


def absences(session: Session, team_id: str) -> dict[str, date]:
    """Everyone in a workspace who has set themselves away, and their last day away."""
    return {
        row.user_id: row.until for row in session.exec(select(Away).where(Away.team_id == team_id))
    }


def away_until(session: Session, *, team_id: str, user_id: str, today: date) -> date | None:
    """The last day someone is away, if they are away today."""
    away = session.exec(
        select(Away).where(Away.team_id == team_id).where(Away.user_id == user_id)
    ).first()
    return away.until if away is not None and away.until >= today else None


def set_away(
    session: Session, *, team_id: str, user_id: str, until: date | None, now: datetime
) -> None:
    """Pause someone's nudges until a date (inclusive), or (None) resume them. Audited."""
    away = session.exec(
        select(Away).where(Away.team_id == team_id).where(Away.user_id == user_id)
    ).first()
    if until is None:
        if away is not None:
            session.delete(away)
    elif away is None:
        session.add(Away(team_id=team_id, user_id=user_id, until=until))
    else:
        away.until = until
        session.add(away)
    record_change(
        session,
        team_id=team_id,
        actor_id=user_id,
        action="edit",
        entity="away",
        entity_id=user_id,
        at=now,
        detail={"until": until.isoformat() if until else None},
    )
    session.commit()


def policy_for(session: Session, team_id: str) -> Policy:
    """A workspace's nudge policy: its own, or the default."""
    row = session.get(NudgePolicy, team_id)
    if row is None:
        return Policy()
    return Policy(
        days_before=row.days_before,
        overdue_every=row.overdue_every,
        overdue_max=row.overdue_max,
        region=row.region,
    )


def set_policy(session: Session, team_id: str, policy: Policy, *, commit: bool = True) -> None:
    """Change a workspace's nudge policy (for commitments recorded from now on); ValueError
    if it makes no sense."""
    if not (
        0 <= policy.days_before <= 20
        and 1 <= policy.overdue_every <= 20
        and 0 <= policy.overdue_max <= 10
        and policy.region in ("ENG", "SCT", "NIR")
    ):
        raise ValueError(
            "days before 0-20, overdue every 1-20, at most 10 overdue reminders, "
            "region ENG, SCT or NIR"
        )
    row = session.get(NudgePolicy, team_id) or NudgePolicy(team_id=team_id)
    row.days_before, row.overdue_every = policy.days_before, policy.overdue_every
    row.overdue_max, row.region = policy.overdue_max, policy.region
    session.add(row)
    if commit:
        session.commit()
