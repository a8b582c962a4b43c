"""Sharing one lesson or briefing note with a network, and taking it back.

A shared entry is a copy, fixed when shared: editing the entry changes nothing elsewhere until
its sharer chooses to update the shared copy. Only the workspace's own lessons and briefing
notes can be shared, never one saved in a private channel. Withdrawing deletes the copy, so it
is gone from every member council at once; the hosts may hide one instead, with a reason its
sharer sees. Every change is audited in the sharer's workspace and the host's."""

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from knowledge.network import (
    SHAREABLE,
    NetworkError,
    _audit,
    audit_elsewhere,
    council_name,
    find_membership,
    memberships,
    moved,
)
from storage.models import Entry
from storage.network import Network, SharedEntry, SharedVote

HIDE_REASON_MAX = 300


def _copy_of(session: Session, network: Network, team_id: str, entry_id: int) -> SharedEntry | None:
    """The workspace's copy of one of its entries in a network, if shared there."""
    return session.exec(
        select(SharedEntry)
        .where(SharedEntry.network_id == network.id)
        .where(SharedEntry.from_team == team_id)
        .where(SharedEntry.entry_id == entry_id)
    ).first()


def _tell_host(
    session: Session,
    network: Network,
    team_id: str,
    by: str,
    action: str,
    now: datetime,
    title: str,
) -> None:
    """The host's copy of a member's change to what it shares (after the member's commit)."""
    audit_elsewhere(
        session,
        network,
        acting=team_id,
        to=network.host_team,
        by=by,
        action=action,
        now=now,
        title=title,
    )


def _fill(row: SharedEntry, entry: Entry, *, author_name: str | None, now: datetime) -> None:
    row.kind, row.title, row.body, row.tags = entry.kind, entry.title, entry.body, entry.tags
    row.author_id, row.author_name, row.updated_at = entry.author_id, author_name, now


def share(
    session: Session,
    *,
    team_id: str,
    entry_id: int,
    network: str,
    by: str,
    author_name: str | None,
    now: datetime,
    pending: bool = False,
) -> tuple[SharedEntry, bool]:
    """Share the workspace's entry with one of its networks, with the author's name (or None:
    the council's only), or update the copy shared before; (the copy, whether it is new).
    `pending`: the workspace requires an admin's approval, and this is not one: the copy waits,
    shown to nobody, until an admin approves it. Commits."""
    held = find_membership(session, team_id, network)
    entry = session.get(Entry, entry_id)
    if entry is None or entry.team_id != team_id or entry.deleted_at is not None:
        raise NetworkError("That entry isn't one of this workspace's (or it was deleted).")
    if entry.kind not in SHAREABLE:
        raise NetworkError("Only lessons learnt and briefing notes can be shared with a network.")
    if entry.private:
        raise NetworkError(
            "This entry was saved in a private channel, so it stays there: it can't be shared."
        )
    row = _copy_of(session, held.network, team_id, entry_id)
    new = row is None
    if row is None:
        row = SharedEntry(
            network_id=held.network.id or 0,
            from_team=team_id,
            entry_id=entry_id,
            kind=entry.kind,
            title=entry.title,
            council=council_name(session, team_id),
            shared_by=by,
            shared_at=now,
            updated_at=now,
        )
    _fill(row, entry, author_name=author_name, now=now)
    row.pending = pending
    session.add(row)
    moved(session, held.network)
    action = "share" if new else "update"
    detail = {"entry": entry_id, "title": entry.title, "pending": pending}
    _audit(session, held.network, team_id, by, action, now, **detail)
    session.commit()
    if pending:  # nothing has left the workspace yet
        return row, new
    _tell_host(session, held.network, team_id, by, action, now, entry.title)
    return row, new


def shared_copies(
    session: Session, *, team_id: str, entry_id: int
) -> list[tuple[Network, SharedEntry]]:
    """Where one of the workspace's entries is shared now, by network."""
    return [
        (network, row)
        for network, row in session.exec(
            select(Network, SharedEntry)
            .join(SharedEntry, col(SharedEntry.network_id) == col(Network.id))
            .where(SharedEntry.from_team == team_id)
            .where(SharedEntry.entry_id == entry_id)
            .order_by(col(Network.name_key))
        )
    ]


def withdraw(
    session: Session, *, team_id: str, entry_id: int, network: str, by: str, now: datetime
) -> SharedEntry:
    """Take the workspace's shared copy back from a network: deleted, so gone from every
    member at once. Commits."""
    held = find_membership(session, team_id, network)
    row = _copy_of(session, held.network, team_id, entry_id)
    if row is None:
        raise NetworkError(f"That entry isn't shared with “{held.network.name}”.")
    session.delete(row)
    moved(session, held.network)
    _audit(session, held.network, team_id, by, "withdraw", now, entry=entry_id, title=row.title)
    session.commit()
    _tell_host(session, held.network, team_id, by, "withdraw", now, row.title)
    return row


def withdraw_entry_everywhere(
    session: Session, *, team_id: str, entry_id: int, by: str, now: datetime
) -> list[Network]:
    """An entry was deleted: its copies go from every network, audited here (the caller
    commits); the networks it left, whose hosts `audit_withdrawn` tells once committed."""
    networks = []
    for network, row in shared_copies(session, team_id=team_id, entry_id=entry_id):
        session.delete(row)
        moved(session, network)
        _audit(session, network, team_id, by, "withdraw", now, entry=entry_id, title=row.title)
        networks.append(network)
    return networks


def audit_withdrawn(
    session: Session, networks: list[Network], *, team_id: str, by: str, title: str, now: datetime
) -> None:
    """The hosts' audit of an entry withdrawn because it was deleted (after the commit)."""
    for network in networks:
        _tell_host(session, network, team_id, by, "withdraw", now, title)


def hide(
    session: Session, *, team_id: str, shared_id: int, reason: str, by: str, now: datetime
) -> SharedEntry:
    """The hosts hide a shared entry from their network, with a reason its sharer sees.
    Commits."""
    row = session.get(SharedEntry, shared_id)
    hosted = {m.network.id: m for m in memberships(session, team_id) if m.hosting}
    if row is None or row.network_id not in hosted:
        raise NetworkError("That isn't a shared entry in a network this workspace hosts.")
    reason = " ".join(reason.split())[:HIDE_REASON_MAX]
    if not reason:
        raise NetworkError("Say why it is hidden: its sharer will see the reason.")
    network = hosted[row.network_id].network
    row.hidden_at, row.hidden_reason = now, reason
    session.add(row)
    moved(session, network)
    _audit(session, network, team_id, by, "hide", now, title=row.title, reason=reason)
    session.commit()
    audit_elsewhere(
        session,
        network,
        acting=team_id,
        to=row.from_team,
        by=by,
        action="hide",
        now=now,
        title=row.title,
        reason=reason,
    )
    return row


def shared_found(session: Session, *, team_id: str, ids: list[int]) -> dict[int, SharedEntry]:
    """Shared entries by id, only those the workspace may see now: in a network it belongs to,
    and not hidden (ids from a search or a button are checked again here)."""
    networks = [m.network.id for m in memberships(session, team_id)]
    if not ids or not networks:
        return {}
    rows = session.exec(
        select(SharedEntry)
        .where(col(SharedEntry.id).in_(ids))
        .where(col(SharedEntry.network_id).in_(networks))
        .where(col(SharedEntry.hidden_at).is_(None))
        .where(col(SharedEntry.pending).is_(False))
    )
    return {row.id or 0: row for row in rows}


def pending_shares(session: Session, *, team_id: str) -> list[tuple[Network, SharedEntry]]:
    """The workspace's entries waiting for an admin's approval to be shared, oldest first."""
    return list(
        session.exec(
            select(Network, SharedEntry)
            .join(SharedEntry, col(SharedEntry.network_id) == col(Network.id))
            .where(SharedEntry.from_team == team_id)
            .where(col(SharedEntry.pending).is_(True))
            .order_by(col(SharedEntry.updated_at))
        )
    )


def decide_share(
    session: Session, *, team_id: str, shared_id: int, approve: bool, by: str, now: datetime
) -> SharedEntry:
    """An admin approves a waiting share (it is shown to the network from now) or declines it
    (the copy is deleted). Only the workspace's own waiting shares. Commits."""
    row = session.get(SharedEntry, shared_id)
    if row is None or row.from_team != team_id or not row.pending:
        raise NetworkError("That isn't one of this workspace's entries waiting for approval.")
    network = session.get(Network, row.network_id)
    assert network is not None  # a share's network goes with it
    if approve:
        row.pending = False
        session.add(row)
        moved(session, network)
    else:
        session.delete(row)
    action = "approve" if approve else "decline"
    _audit(session, network, team_id, by, action, now, title=row.title)
    session.commit()
    if approve:
        _tell_host(session, network, team_id, by, "share", now, row.title)
    return row


def found_helpful(
    session: Session, *, team_id: str, user_id: str, shared_id: int, now: datetime
) -> SharedEntry | None:
    """Someone found another council's shared entry helpful (once; only one their workspace
    may see now): the entry, or None. Commits."""
    row = shared_found(session, team_id=team_id, ids=[shared_id]).get(shared_id)
    if row is None or row.from_team == team_id:
        return None
    try:
        session.add(SharedVote(shared_id=shared_id, voter_team=team_id, user_id=user_id, at=now))
        session.commit()
    except IntegrityError:  # found helpful before: counted once
        session.rollback()
    return row
