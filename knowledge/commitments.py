"""Commitments: what a partnership agreed to do, who owns it, by when; and who may change it."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, select

from knowledge.audit import record_change
from knowledge.dates import DueDateError, parse_due
from knowledge.nudges import Policy, plan_nudges, replace_pending
from knowledge.partnerships import find_partnership, resolve_partnership
from storage import claims
from storage.models import ACTION_MAX, Commitment, CommitmentOwner, Nudge, Partnership
from storage.rows import team_row

EXAMPLE = "`/partners commit @sam Share the supply-chain map by 12 Dec`"
OWNERS_MAX = 10
OPEN, DONE, DECLINED = "open", "done", "declined"

# Linear time on anything typed (tests/knowledge/test_linear_text.py): a label stops at the
# next "<", and " by " / " in " look behind for their space rather than matching a run of
# spaces from every place in it.
_LEADING = re.compile(
    r"\s*(<@([A-Z0-9]+)(?:\|[^<>]*)?>|<#([A-Z0-9]+)(?:\|([^<>]*))?>|@(\S+)|,|and\b)",
    re.IGNORECASE,
)
_BY = re.compile(r"(?:^|(?<=\s))by\s+", re.IGNORECASE)
_IN = re.compile(r"(?<=\s)in\s+", re.IGNORECASE)
WHEN_MAX = 200  # a date and a partnership's name: anything longer is neither


class CommitmentError(ValueError):
    """A commitment that cannot be recorded or changed as asked; the message says why."""

    def __init__(self, message: str, field: str = "action") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class CommitRequest:
    """`@USER… ACTION by DATE [in PARTNERSHIP]`, split into its parts (nothing checked yet)."""

    owners: tuple[str, ...]
    action: str
    when: str


def parse_commit(text: str) -> CommitRequest:
    """Split the command's text; CommitmentError when a part is missing or is not a person."""
    owners: list[str] = []
    rest, at = text.strip(), 0
    while match := _LEADING.match(rest, at):
        if match[3]:
            raise CommitmentError(
                f"<#{match[3]}> is a channel, not a person. Start with who will do it: {EXAMPLE}",
                "owners",
            )
        if match[5]:
            raise CommitmentError(
                f"I don't know anyone called @{match[5][:40]} here. Mention "
                f"people so Slack links them: {EXAMPLE}",
                "owners",
            )
        if match[2] and match[2] not in owners:
            owners.append(match[2])
        at = match.end()  # read on from here, never copying what is left (10,000 mentions)
    rest = rest[at:]
    if not owners:
        raise CommitmentError(
            f"Who will do it? Start with one or more @people: {EXAMPLE}", "owners"
        )
    if len(owners) > OWNERS_MAX:
        raise CommitmentError(f"Give a commitment at most {OWNERS_MAX} owners.", "owners")
    parts = [part.strip() for part in _BY.split(rest.strip())]
    if len(parts) < 2 or not parts[-1]:
        raise CommitmentError(f"By when? End with `by` and a date: {EXAMPLE}", "due")
    action = " by ".join(parts[:-1]).strip()
    return CommitRequest(owners=tuple(owners), action=action, when=parts[-1].strip())


def split_partnership(
    session: Session, *, team_id: str, when: str, today: date | None = None
) -> tuple[str, Partnership | None]:
    """ "12 Dec in Retrofit Partnership" → ("12 Dec", that partnership), when one is called so;
    "in 2 weeks" stays a date. With `today`, a date followed by "in" and a name that is nearly
    a partnership's ("friday in Retrof") is a CommitmentError asking whether that one was
    meant, rather than a date that cannot be read."""
    if len(when) > WHEN_MAX:
        return when, None  # no date is that long: parse_due says so
    pieces = [piece.strip() for piece in _IN.split(when)]
    for cut in range(1, len(pieces)):
        name = " in ".join(pieces[cut:])
        found = find_partnership(session, team_id=team_id, name=name)
        if found is not None:
            return " in ".join(pieces[:cut]), found
    if today is not None:
        for cut in range(1, len(pieces)):
            head, name = " in ".join(pieces[:cut]), " in ".join(pieces[cut:])
            sure, guess = resolve_partnership(session, team_id=team_id, name=name)
            meant_name = sure.name if sure is not None else guess
            if meant_name and _reads_as_date(head, today):
                raise CommitmentError(
                    f"There is no partnership called “{name[:40]}”. Did you mean "
                    f"*{meant_name}*? Try `… by {head[:40]} in {meant_name}`.",
                    "partnership",
                )
    return when, None


def _reads_as_date(text: str, today: date) -> bool:
    try:
        parse_due(text, today)
    except DueDateError as error:
        return "already passed" in str(error) or "just passed" in str(error)
    return True


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
