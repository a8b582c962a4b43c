"""Commitments: what a partnership agreed to do, who owns it, by when; and who may change it."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from knowledge.audit import record_change
from knowledge.nudges import Policy, plan_nudges, replace_pending
from storage import claims
from storage.models import ACTION_MAX, Commitment, CommitmentOwner, Nudge, Partnership
from storage.rows import team_row

EXAMPLE = "`/partners commit @sam Share the supply-chain map by 12 Dec`"
OWNERS_MAX = 10
OPEN, DONE, DECLINED = "open", "done", "declined"


class CommitmentError(ValueError):
    """A commitment that cannot be recorded or changed as asked; the message says why."""

    def __init__(self, message: str, field: str = "action") -> None:
        super().__init__(message)
        self.field = field


def check_action(action: str) -> str:
    """The action tidied, or a CommitmentError."""
    action = " ".join(action.split())
    if not action:
        raise CommitmentError(f"What is the action? {EXAMPLE}", "action")
    if len(action) > ACTION_MAX:
        raise CommitmentError(
            f"Keep the action to {ACTION_MAX} characters (it has "
            f"{len(action):,}); put detail in “how we will know”.",
            "action",
        )
    return action


@dataclass(frozen=True)
class Owner:
    user_id: str
    tz: str


def record_commitment(
    session: Session,
    *,
    team_id: str,
    created_by: str,
    creator_tz: str,
    channel_id: str | None,
    owners: list[Owner],
    action: str,
    due: date,
    now: datetime,
    partnership_id: int | None = None,
    partner_org: str | None = None,
    done_when: str | None = None,
    policy: Policy | None = None,
    once: str | None = None,
) -> Commitment:
    """Save a commitment with its owners and every nudge it will need, audited. With `once`
    (a submitted form's key), a second recording of the same form raises claims.Repeat."""
    action = check_action(action)
    if not owners:
        raise CommitmentError(f"Who will do it? {EXAMPLE}", "owners")
    partnership = (
        None
        if partnership_id is None
        else team_row(session, Partnership, team_id=team_id, row_id=partnership_id)
    )
    if partnership_id is not None and partnership is None:
        raise CommitmentError("That partnership isn't in this workspace.", "partnership")
    if once is not None:
        claims.done_once(session, team_id=team_id, key=once, at=now)
    commitment = Commitment(
        team_id=team_id,
        action=action,
        due_date=due,
        created_by=created_by,
        channel_id=channel_id,
        partnership_id=partnership_id,
        partner_org=(partner_org or "").strip()[:120] or None,
        done_when=(done_when or "").strip()[:1000] or None,
        created_at=now,
        updated_at=now,
    )
    session.add(commitment)
    session.flush()
    for owner in owners:
        session.add(
            CommitmentOwner(
                team_id=team_id,
                commitment_id=commitment.id or 0,
                user_id=owner.user_id,
                tz=owner.tz,
            )
        )
    for nudge in plan_nudges(
        commitment,
        owners=[(o.user_id, o.tz) for o in owners],
        creator_tz=creator_tz,
        now=now,
        policy=policy or Policy(),
        lead_id=lead_of(partnership),
    ):
        session.add(nudge)
    record_change(
        session,
        team_id=team_id,
        actor_id=created_by,
        action="create",
        entity="commitment",
        entity_id=commitment.id or 0,
        at=now,
        detail={"due": due.isoformat(), "owners": [o.user_id for o in owners]},
    )
    session.commit()
    return commitment


def lead_of(partnership: Partnership | None) -> str | None:
    """Who hears about a commitment's escalation besides its creator: its open partnership's
    lead."""
    if partnership is None or partnership.status != "open":
        return None
    return partnership.lead_id


def set_thread(session: Session, commitment: Commitment, thread_ts: str) -> None:
    """Where the commitment was announced: its thread hears about changes and reminders."""
    commitment.thread_ts = thread_ts
    session.add(commitment)
    session.commit()


def owners_of(session: Session, commitment_id: int) -> list[CommitmentOwner]:
    return list(
        session.exec(
            select(CommitmentOwner)
            .where(CommitmentOwner.commitment_id == commitment_id)
            .order_by(col(CommitmentOwner.id))
        )
    )


def mark_unreachable(session: Session, *, commitment_id: int, user_id: str) -> None:
    """Slack cannot DM this owner: their reminders go to the commitment's thread from now on."""
    for owner in owners_of(session, commitment_id):
        if owner.user_id == user_id:
            owner.reachable = False
            session.add(owner)
    session.commit()


def may_change(session: Session, commitment: Commitment, user_id: str, *, manager: bool) -> bool:
    """Owners, the creator, workspace admins and facilitators may change a commitment."""
    if manager or commitment.created_by == user_id:
        return True
    return any(o.user_id == user_id for o in owners_of(session, commitment.id or 0))


def close(
    session: Session,
    commitment: Commitment,
    *,
    status: str,
    actor_id: str,
    now: datetime,
    note: str | None = None,
) -> None:
    """Mark done (or declined): every nudge still owed is cancelled. Audited."""
    if commitment.status != OPEN:
        raise CommitmentError(f"This commitment is already {commitment.status}.")
    commitment.status, commitment.closed_by, commitment.closed_at = status, actor_id, now
    commitment.closed_note = (note or "").strip()[:1000] or None
    commitment.updated_at = now
    session.add(commitment)
    cancel_pending(session, commitment.id or 0)
    record_change(
        session,
        team_id=commitment.team_id,
        actor_id=actor_id,
        action="edit",
        entity="commitment",
        entity_id=commitment.id or 0,
        at=now,
        detail={"status": status, "note": commitment.closed_note},
    )
    session.commit()


def cancel_pending(session: Session, commitment_id: int) -> int:
    """Cancel every nudge not yet sent for a commitment."""
    nudges = session.exec(
        select(Nudge)
        .where(Nudge.commitment_id == commitment_id)
        .where(col(Nudge.status).in_(["pending", "claimed"]))
    ).all()
    for nudge in nudges:
        nudge.status = "cancelled"
        session.add(nudge)
    return len(nudges)


def open_commitments(
    session: Session,
    *,
    team_id: str,
    owner_id: str | None = None,
    partnership_id: int | None = None,
    channel_id: str | None = None,
) -> list[Commitment]:
    """Open commitments of a workspace, soonest due first: someone's, or a partnership's or
    channel's."""
    statement = (
        select(Commitment).where(Commitment.team_id == team_id).where(Commitment.status == OPEN)
    )
    if owner_id is not None:
        statement = statement.join(
            CommitmentOwner, col(CommitmentOwner.commitment_id) == col(Commitment.id)
        ).where(CommitmentOwner.user_id == owner_id)
    if partnership_id is not None:
        statement = statement.where(Commitment.partnership_id == partnership_id)
    elif channel_id is not None:
        statement = statement.where(Commitment.channel_id == channel_id)
    return list(session.exec(statement.order_by(col(Commitment.due_date), col(Commitment.id))))


def change(
    session: Session,
    commitment: Commitment,
    *,
    actor_id: str,
    now: datetime,
    creator_tz: str,
    policy: Policy,
    due: date | None = None,
    owners: list[Owner] | None = None,
    note: str | None = None,
    once: str | None = None,
) -> list[str]:
    """Move the due date, reassign, or note progress; the reminders still owed are planned
    again. Returns what changed ("due", "owners", "progress"), audited. With `once` (a form's
    key), the same form applied twice raises claims.Repeat."""
    if commitment.status != OPEN:
        raise CommitmentError(f"This commitment is already {commitment.status}.")
    changed = []
    current = owners_of(session, commitment.id or 0)
    if due is not None and due != commitment.due_date:
        commitment.due_date = due
        changed.append("due")
    if owners is not None:
        if not owners:
            raise CommitmentError("A commitment needs at least one owner.", "owners")
        if {o.user_id for o in owners} != {o.user_id for o in current}:
            for row in current:
                session.delete(row)
            session.flush()
            for owner in owners:
                session.add(
                    CommitmentOwner(
                        team_id=commitment.team_id,
                        commitment_id=commitment.id or 0,
                        user_id=owner.user_id,
                        tz=owner.tz,
                    )
                )
            changed.append("owners")
    if note:
        commitment.progress_note = note.strip()[:1000]
        changed.append("progress")
    if not changed:
        return changed
    if once is not None:  # only a form that changed something is spent
        claims.done_once(session, team_id=commitment.team_id, key=once, at=now)
    commitment.updated_at = now
    session.add(commitment)
    if "due" in changed or "owners" in changed:
        _replan(
            session,
            commitment,
            owners or [Owner(o.user_id, o.tz) for o in current],
            creator_tz=creator_tz,
            now=now,
            policy=policy,
        )
    record_change(
        session,
        team_id=commitment.team_id,
        actor_id=actor_id,
        action="edit",
        entity="commitment",
        entity_id=commitment.id or 0,
        at=now,
        detail={"changed": changed, "due": commitment.due_date.isoformat()},
    )
    session.commit()
    return changed


def _replan(
    session: Session,
    commitment: Commitment,
    owners: list[Owner],
    *,
    creator_tz: str,
    now: datetime,
    policy: Policy,
) -> None:
    """Forget the reminders not yet sent and plan them again; one already sent is not resent."""
    replace_pending(
        session,
        col(Nudge.commitment_id) == commitment.id,
        plan_nudges(
            commitment,
            owners=[(o.user_id, o.tz) for o in owners],
            creator_tz=creator_tz,
            now=now,
            policy=policy,
            lead_id=lead_of(session.get(Partnership, commitment.partnership_id or 0)),
        ),
    )
