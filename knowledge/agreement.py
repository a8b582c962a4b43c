"""The agreement checklist: the twelve things the parks guide says a Partnership Agreement
should answer, each not started, in progress or agreed, with a note, a link and who changed it."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from knowledge.audit import record_change
from storage.models import AgreementItem, Partnership

# Creating stronger partnerships (001), "what a Partnership Agreement should cover"
ITEMS = {
    "partners": "Who the partners are",
    "aims": "Aims, objectives and outcomes",
    "milestones": "Milestones, timelines and exit strategy",
    "legal_status": "Legal status",
    "risk": "Risk management",
    "governance": "Governance and decision making",
    "roles": "Roles and responsibilities",
    "due_diligence": "Due diligence, including data protection and insurance",
    "finance": "Financial accountability",
    "monitoring": "Monitoring and reporting",
    "engagement": "Community engagement and communications",
    "other": "Anything else specific to this partnership",
}
STATUSES = {"not_started": "Not started", "in_progress": "In progress", "agreed": "Agreed"}
NOTE_MAX, LINK_MAX = 1000, 500


class AgreementError(ValueError):
    """A change the checklist cannot take; the message is for the officer."""


def checklist(session: Session, partnership: Partnership) -> list[tuple[str, AgreementItem | None]]:
    """The twelve items in the guide's order, each with its row (None: not started)."""
    rows = {
        row.item: row
        for row in session.exec(
            select(AgreementItem).where(AgreementItem.partnership_id == partnership.id)
        )
    }
    return [(key, rows.get(key)) for key in ITEMS]


def progress(session: Session, partnership_ids: Iterable[int]) -> dict[int, int]:
    """How many items are agreed, for each partnership asked about."""
    ids = list(partnership_ids)
    if not ids:
        return {}
    counted = session.exec(
        select(AgreementItem.partnership_id, func.count())
        .where(col(AgreementItem.partnership_id).in_(ids))
        .where(AgreementItem.status == "agreed")
        .group_by(col(AgreementItem.partnership_id))
    ).all()
    found = {pid: int(n) for pid, n in counted}
    return {pid: found.get(pid, 0) for pid in ids}


def set_item(
    session: Session,
    partnership: Partnership,
    *,
    item: str,
    actor_id: str,
    now: datetime,
    status: str | None = None,
    note: str | None = None,
    link: str | None = None,
) -> AgreementItem:
    """Change one item's status (and, given, its note and link), audited with the old value."""
    if item not in ITEMS:
        raise AgreementError("That isn't one of the twelve agreement items.")
    if status is not None and status not in STATUSES:
        raise AgreementError("An item is not started, in progress or agreed.")
    if note is not None and len(note.strip()) > NOTE_MAX:
        raise AgreementError(f"Keep the note to {NOTE_MAX} characters.")
    if link is not None and link.strip():
        link = link.strip()
        if len(link) > LINK_MAX or not link.startswith(("https://", "http://")) or " " in link:
            raise AgreementError("The link must be a web address, like https://…")
    row = session.exec(
        select(AgreementItem)
        .where(AgreementItem.partnership_id == partnership.id)
        .where(AgreementItem.item == item)
    ).first()
    before = row.status if row else "not_started"
    if row is None:
        row = AgreementItem(
            team_id=partnership.team_id,
            partnership_id=partnership.id or 0,
            item=item,
            changed_by=actor_id,
            changed_at=now,
        )
    if status is not None:
        row.status = status
    if note is not None:
        row.note = note.strip() or None
    if link is not None:
        row.link = link.strip() or None
    row.changed_by, row.changed_at = actor_id, now
    session.add(row)
    record_change(
        session,
        team_id=partnership.team_id,
        actor_id=actor_id,
        action="edit",
        entity="agreement_item",
        entity_id=f"{partnership.id}:{item}",
        at=now,
        detail={"from": before, "to": row.status, "note": row.note, "link": row.link},
    )
    session.commit()
    return row
