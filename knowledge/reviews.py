"""Partnership reviews: recording one (the history stays), and reminding the lead officer when
the next is due. Review reminders are Nudge rows like a commitment's, claimed exactly once:
14 days before, 3 working days before, on the day, then weekly while overdue (at most four)."""

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from knowledge.audit import record_change
from knowledge.nudges import (
    CANCELLED,
    PULSE,
    Decision,
    Policy,
    add_snooze,
    replace_pending,
    settle,
)
from knowledge.workdays import (
    add_working_days,
    local_today,
    next_nudge_instant,
    next_working_day,
    nudge_instant,
    previous_working_day,
)
from storage.models import Nudge, Partnership, PartnershipReview

EARLY, SOON, DUE, LATE, SNOOZED = (
    "review_early",
    "review_soon",
    "review_due",
    "review_late",
    "review_snooze",
)
ORDER = {EARLY: 0, SOON: 1, DUE: 2, SNOOZED: 2, LATE: 3}
EARLY_DAYS, SOON_WORKING_DAYS, LATE_EVERY, LATE_MAX = 14, 3, timedelta(days=7), 4
OUTCOME_MAX = 3000


class ReviewError(ValueError):
    """A review that cannot be recorded; `field` names the form field it is about."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def plan_reviews(
    partnership: Partnership, *, tz: str, now: datetime, region: str = "ENG"
) -> list[Nudge]:
    """The reminders the lead needs for the next review, at 09:30 on working days where they
    are; none for a closed partnership, one with no lead or no review date."""
    review, lead = partnership.next_review, partnership.lead_id
    if partnership.status != "open" or review is None or lead is None:
        return []
    days = [
        (EARLY, 0, previous_working_day(review - timedelta(days=EARLY_DAYS), region)),
        (SOON, 0, add_working_days(review, -SOON_WORKING_DAYS, region)),
        (DUE, 0, previous_working_day(review, region)),
    ]
    days += [
        (LATE, n, next_working_day(review + LATE_EVERY * n, region)) for n in range(1, LATE_MAX + 1)
    ]
    planned = {(kind, n): nudge_instant(day, tz) for kind, n, day in days}
    upcoming = [(kind, n, at) for (kind, n), at in planned.items() if at > now]
    if review == local_today(now, tz) and not any(k == DUE for k, _, _ in upcoming):
        # due today, and 09:30 has gone: remind as soon as it is working hours
        upcoming.insert(0, (DUE, 0, next_nudge_instant(now, tz, region)))
    # a review set only days away gets the reminders still ahead of it, not a burst of them
    seen: set[datetime] = set()
    nudges = []
    for kind, n, at in upcoming:
        if at in seen:
            continue
        seen.add(at)
        nudges.append(
            Nudge(
                team_id=partnership.team_id,
                partnership_id=partnership.id,
                recipient_id=lead,
                kind=kind,
                number=n,
                due_at=at,
                about=review,
            )
        )
    return nudges


def replan_reviews(
    session: Session, partnership: Partnership, *, tz: str, now: datetime, region: str = "ENG"
) -> None:
    """Drop the review reminders not yet sent and plan them for the partnership as it is now
    (in the caller's transaction). One already sent is never sent again."""
    replace_pending(
        session,
        (col(Nudge.partnership_id) == partnership.id) & (col(Nudge.kind) != PULSE),
        plan_reviews(partnership, tz=tz, now=now, region=region),
    )


def decide_review(
    session: Session,
    nudge: Nudge,
    *,
    partnership: Partnership | None,
    tz: str,
    now: datetime,
    policy: Policy,
) -> Decision:
    """Send now, put off (away, out of hours), or drop (closed, reviewed, a new lead)."""
    if (
        partnership is None
        or partnership.status != "open"
        or partnership.next_review != nudge.about
        or partnership.lead_id != nudge.recipient_id
    ):
        return Decision(False, {"status": CANCELLED})
    return settle(session, nudge, order=ORDER, tz=tz, now=now, policy=policy)


def snooze_review(
    session: Session, partnership: Partnership, *, user_id: str, tz: str, now: datetime
) -> datetime | None:
    """Remind the lead again a week from today (09:30, a working day); earlier reminders are
    dropped. None (nothing changes) when there is no review to remind about, or it was done."""
    if partnership.status != "open" or partnership.next_review is None:
        return None
    until = nudge_instant(next_working_day(local_today(now, tz) + timedelta(days=7)), tz)
    snoozed = Nudge(
        team_id=partnership.team_id,
        partnership_id=partnership.id,
        recipient_id=user_id,
        kind=SNOOZED,
        due_at=until,
        about=partnership.next_review,
    )
    return until if add_snooze(session, snoozed) else None


def record_review(
    session: Session,
    partnership: Partnership,
    *,
    reviewed_on: date,
    outcome: str,
    next_review: date | None,
    actor_id: str,
    lead_tz: str,
    now: datetime,
    region: str = "ENG",
) -> PartnershipReview:
    """Keep a review and move the partnership's next review date; reminders are planned
    again for the new date. Audited."""
    outcome = outcome.strip()
    if partnership.status != "open":
        raise ReviewError("This partnership is closed; reopen it before reviewing it.", "outcome")
    if not outcome:
        raise ReviewError("Say in a line or two what the review found.", "outcome")
    if len(outcome) > OUTCOME_MAX:
        raise ReviewError(f"Keep the outcome to {OUTCOME_MAX} characters.", "outcome")
    today = local_today(now, lead_tz)
    if reviewed_on > today:
        raise ReviewError("A review is recorded once it has happened: not a future date.", "date")
    if partnership.start_date and reviewed_on < partnership.start_date:
        raise ReviewError(
            f"The partnership started on {partnership.start_date:%d %b %Y}, after that date.",
            "date",
        )
    if next_review is not None and next_review <= reviewed_on:
        raise ReviewError("The next review must come after this one.", "next")
    review = PartnershipReview(
        team_id=partnership.team_id,
        partnership_id=partnership.id or 0,
        reviewed_on=reviewed_on,
        outcome=outcome,
        next_review=next_review,
        recorded_by=actor_id,
        recorded_at=now,
    )
    session.add(review)
    partnership.next_review, partnership.updated_at = next_review, now
    session.add(partnership)
    session.flush()
    replan_reviews(session, partnership, tz=lead_tz, now=now, region=region)
    record_change(
        session,
        team_id=partnership.team_id,
        actor_id=actor_id,
        action="create",
        entity="partnership_review",
        entity_id=review.id or 0,
        at=now,
        detail={
            "partnership": partnership.id,
            "reviewed_on": reviewed_on.isoformat(),
            "next_review": next_review.isoformat() if next_review else None,
        },
    )
    session.commit()
    return review


def reviews_of(session: Session, partnership: Partnership) -> list[PartnershipReview]:
    """A partnership's reviews, newest first."""
    return list(
        session.exec(
            select(PartnershipReview)
            .where(PartnershipReview.partnership_id == partnership.id)
            .order_by(col(PartnershipReview.reviewed_on).desc(), col(PartnershipReview.id).desc())
        )
    )
