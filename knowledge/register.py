"""The register as officers read it: each partnership with its lead, next review, commitments
and agreement progress, filtered to mine, significant, due for review or overdue."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from knowledge.agreement import ITEMS, progress
from knowledge.partnerships import list_partnerships
from knowledge.register_facts import missing_governance
from storage.models import Commitment, Partnership

FILTERS = ("mine", "significant", "due", "overdue")
DUE_WITHIN = timedelta(days=30)


@dataclass(frozen=True)
class Standing:
    """One partnership as the list and the card show it."""

    partnership: Partnership
    open: int
    overdue: int
    agreed: int

    @property
    def agreement(self) -> str:
        return f"{self.agreed} of {len(ITEMS)} agreed"

    @property
    def missing(self) -> list[str]:
        return missing_governance(self.partnership, agreed=self.agreed, items=len(ITEMS))

    def review_state(self, today: date) -> str | None:
        """ "overdue" or "due" (within 30 days) for the review, else None."""
        review = self.partnership.next_review
        if review is None or self.partnership.status != "open":
            return None
        if review < today:
            return "overdue"
        return "due" if review - today <= DUE_WITHIN else None


def standings(session: Session, partnerships: list[Partnership], *, today: date) -> list[Standing]:
    """Open and overdue commitments and agreement progress for each partnership given."""
    ids = [p.id or 0 for p in partnerships]
    counts: dict[int, tuple[int, int]] = {}
    if ids:
        overdue = func.sum(case((col(Commitment.due_date) < today, 1), else_=0))
        for pid, n_open, n_overdue in session.exec(
            select(Commitment.partnership_id, func.count(), overdue)
            .where(col(Commitment.partnership_id).in_(ids))
            .where(Commitment.status == "open")
            .group_by(col(Commitment.partnership_id))
        ).all():
            counts[pid or 0] = (int(n_open), int(n_overdue or 0))
    agreed = progress(session, ids)
    return [
        Standing(p, *counts.get(p.id or 0, (0, 0)), agreed.get(p.id or 0, 0)) for p in partnerships
    ]


def register_list(
    session: Session, *, team_id: str, today: date, which: str = "", user_id: str = ""
) -> list[Standing]:
    """The open partnerships of a workspace, by name, filtered by `which` (one of FILTERS, or
    blank for all): `mine` (I lead them), `significant`, `due` (review within 30 days, or
    overdue), `overdue` (review date passed, or commitments overdue)."""
    found = standings(session, list_partnerships(session, team_id=team_id), today=today)
    if which == "mine":
        return [s for s in found if s.partnership.lead_id == user_id]
    if which == "significant":
        return [s for s in found if s.partnership.significant]
    if which == "due":
        return [s for s in found if s.review_state(today) in ("due", "overdue")]
    if which == "overdue":
        return [s for s in found if s.review_state(today) == "overdue" or s.overdue]
    return found


def reviews_due(
    session: Session, *, team_id: str, today: date, lead_id: str | None = None
) -> list[Partnership]:
    """Open partnerships whose review is within 30 days or overdue, soonest first."""
    statement = (
        select(Partnership)
        .where(Partnership.team_id == team_id)
        .where(Partnership.status == "open")
        .where(col(Partnership.next_review).is_not(None))
        .where(col(Partnership.next_review) <= today + DUE_WITHIN)
    )
    if lead_id is not None:
        statement = statement.where(Partnership.lead_id == lead_id)
    return list(session.exec(statement.order_by(col(Partnership.next_review))))
