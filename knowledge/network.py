"""The programme network: councils share lessons with each other, by consent, entry by entry.

A network is run by its hosting workspace, whose admins invite councils with one-time codes.
Nothing crosses from one council to another unless a person shared it: a shared entry is a
fixed copy of one lesson or briefing note, with the council's name and (if its sharer chose)
the author's. These tables have no `team_id`, so the workspace scope does not guard them: every
function here checks for itself that the workspace asking is a member, and that the entry it
names is its own. Each change is audited in the acting workspace and, where it is another, the
host's (a network's version goes up with every change to what it shares, so each process's
index of it is rebuilt before its next search: knowledge/network_search.py)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from knowledge.audit import record_change
from storage.models import Workspace
from storage.network import (
    COUNCIL_NAME_MAX,
    NETWORK_NAME_MAX,
    Network,
    NetworkInvite,
    NetworkMember,
    SharedEntry,
)

CODE_DAYS = 14  # an invitation code works once, within this many days
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
SHAREABLE = ("lesson", "brief")  # knowledge/entries.py's LESSON and BRIEF


class NetworkError(ValueError):
    """Something a network cannot do; the message says why, kindly."""


@dataclass(frozen=True)
class Membership:
    network: Network
    member: NetworkMember

    @property
    def hosting(self) -> bool:
        return self.network.host_team == self.member.member_team


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def council_name(session: Session, team_id: str) -> str:
    """The name other councils see: the workspace's, as Slack gave it at install."""
    found = session.get(Workspace, team_id)
    return ((found.name if found else None) or team_id)[:COUNCIL_NAME_MAX]


def _code_hash(code: str) -> str:
    plain = "".join(c for c in code.upper() if c.isalnum())
    return hashlib.sha256(plain.encode()).hexdigest()


def memberships(session: Session, team_id: str) -> list[Membership]:
    """The networks a workspace belongs to now, by name."""
    rows = session.exec(
        select(Network, NetworkMember)
        .join(NetworkMember, col(NetworkMember.network_id) == col(Network.id))
        .where(NetworkMember.member_team == team_id)
        .where(col(NetworkMember.left_at).is_(None))
        .order_by(col(Network.name_key))
    )
    return [Membership(network, member) for network, member in rows]


def members_of(session: Session, network_id: int) -> list[NetworkMember]:
    """A network's councils now, by name."""
    return list(
        session.exec(
            select(NetworkMember)
            .where(NetworkMember.network_id == network_id)
            .where(col(NetworkMember.left_at).is_(None))
            .order_by(col(NetworkMember.council))
        )
    )


def find_membership(session: Session, team_id: str, name: str) -> Membership:
    """One of the workspace's networks, by its name (case and spacing aside)."""
    held = memberships(session, team_id)
    for one in held:
        if one.network.name_key == name_key(name):
            return one
    names = ", ".join(f"“{m.network.name}”" for m in held) or "none yet"
    raise NetworkError(f"This workspace is in no network called “{name}” (it is in: {names}).")


def _audit(
    session: Session,
    network: Network,
    team_id: str,
    by: str,
    action: str,
    now: datetime,
    **detail: Any,
) -> None:
    what = (
        "delete"
        if action in ("withdraw", "leave", "remove", "removed", "hide", "decline")
        else "create"
    )
    record_change(
        session,
        team_id=team_id,
        actor_id=by,
        action="edit" if action in ("update", "rejoin", "approve", "digest") else what,  # type: ignore[arg-type]
        entity="network",
        entity_id=network.id or 0,
        at=now,
        detail={"network": network.name, "did": action, **detail},
    )


def audit_elsewhere(
    session: Session,
    network: Network,
    *,
    acting: str,
    to: str,
    by: str,
    action: str,
    now: datetime,
    **detail: Any,
) -> None:
    """The other workspace's copy of a change (the host's of a member's, a member's of the
    hosts'), after the acting one's is committed: a row of another workspace, so written in a
    session of its own, unscoped on purpose (the one write a request makes outside its own)."""
    if to == acting:
        return
    with Session(session.get_bind(), info={}) as other:
        _audit(other, network, to, by, action, now, council=acting, **detail)
        other.commit()


def create_network(session: Session, *, team_id: str, name: str, by: str, now: datetime) -> Network:
    """A new network hosted by this workspace, with it as the first member; commits."""
    name = " ".join(name.split())
    if not name:
        raise NetworkError(
            "A network needs a name, like `/partners network create Retrofit programme 2025-26`."
        )
    if len(name) > NETWORK_NAME_MAX:
        raise NetworkError(f"Keep a network's name under {NETWORK_NAME_MAX} characters.")
    if session.exec(
        select(Network)
        .where(Network.host_team == team_id)
        .where(Network.name_key == name_key(name))
    ).first():
        raise NetworkError(f"This workspace already hosts a network called “{name}”.")
    network = Network(
        name=name, name_key=name_key(name), host_team=team_id, created_by=by, created_at=now
    )
    session.add(network)
    session.flush()
    session.add(
        NetworkMember(
            network_id=network.id or 0,
            member_team=team_id,
            council=council_name(session, team_id),
            joined_by=by,
            joined_at=now,
        )
    )
    _audit(session, network, team_id, by, "create", now)
    session.commit()
    return network


def invite(
    session: Session, *, team_id: str, name: str, by: str, now: datetime
) -> tuple[Network, str]:
    """A one-time code for another council to join one of this workspace's hosted networks;
    only its hash is kept. Commits."""
    held = find_membership(session, team_id, name)
    if not held.hosting:
        raise NetworkError(f"Only the hosts of “{held.network.name}” can invite councils to it.")
    code = "-".join("".join(secrets.choice(CODE_LETTERS) for _ in range(4)) for _ in range(3))
    session.add(
        NetworkInvite(
            network_id=held.network.id or 0,
            code_hash=_code_hash(code),
            made_by=by,
            made_at=now,
            expires_at=now + timedelta(days=CODE_DAYS),
        )
    )
    _audit(session, held.network, team_id, by, "invite", now)
    session.commit()
    return held.network, code


def join(session: Session, *, team_id: str, code: str, by: str, now: datetime) -> Network:
    """Redeem an invitation code: this workspace joins (or rejoins) its network. Commits."""
    found = session.exec(
        select(NetworkInvite).where(NetworkInvite.code_hash == _code_hash(code))
    ).first()
    if found is None or found.used_at is not None or found.expires_at <= now:
        raise NetworkError(
            "That code isn't one I know, or it has been used or has expired (codes work once, "
            f"within {CODE_DAYS} days). Ask the network's hosts for a new one."
        )
    network = session.get(Network, found.network_id)
    if network is None:
        raise NetworkError("That network has closed.")
    member = session.exec(
        select(NetworkMember)
        .where(NetworkMember.network_id == network.id)
        .where(NetworkMember.member_team == team_id)
    ).first()
    if member is not None and member.left_at is None:
        raise NetworkError(f"This workspace is already in “{network.name}”.")
    again = member is not None
    if member is None:
        member = NetworkMember(
            network_id=network.id or 0,
            member_team=team_id,
            council=council_name(session, team_id),
            joined_by=by,
            joined_at=now,
        )
    member.left_at, member.removed, member.joined_by, member.joined_at = None, False, by, now
    session.add(member)
    found.used_at, found.used_by_team = now, team_id
    session.add(found)
    _audit(session, network, team_id, by, "rejoin" if again else "join", now)
    session.commit()
    audit_elsewhere(
        session, network, acting=team_id, to=network.host_team, by=by, action="join", now=now
    )
    return network


def moved(session: Session, network: Network) -> None:
    """What the network shares changed: every process's index of it is rebuilt before its
    next search (knowledge/network_search.py)."""
    network.version += 1
    session.add(network)


def _withdraw_all(session: Session, network: Network, team_id: str) -> int:
    shared = list(
        session.exec(
            select(SharedEntry)
            .where(SharedEntry.network_id == network.id)
            .where(SharedEntry.from_team == team_id)
        )
    )
    for row in shared:
        session.delete(row)
    if shared:
        moved(session, network)
    return len(shared)


def leave(
    session: Session, *, team_id: str, name: str, by: str, now: datetime
) -> tuple[Network, int]:
    """This workspace leaves a network, withdrawing everything it shared there (the network,
    how many entries were withdrawn). The hosts cannot leave their own network. Commits."""
    held = find_membership(session, team_id, name)
    if held.hosting:
        raise NetworkError(f"This workspace hosts “{held.network.name}”, so it can't leave it.")
    withdrawn = _withdraw_all(session, held.network, team_id)
    held.member.left_at = now
    session.add(held.member)
    _audit(session, held.network, team_id, by, "leave", now, withdrawn=withdrawn)
    session.commit()
    audit_elsewhere(
        session,
        held.network,
        acting=team_id,
        to=held.network.host_team,
        by=by,
        action="leave",
        now=now,
        withdrawn=withdrawn,
    )
    return held.network, withdrawn


def remove_member(
    session: Session, *, team_id: str, name: str, council: str, by: str, now: datetime
) -> NetworkMember:
    """The hosts remove a council from their network, withdrawing all it shared. Commits."""
    held = find_membership(session, team_id, name)
    if not held.hosting:
        raise NetworkError(f"Only the hosts of “{held.network.name}” can remove a council.")
    wanted = name_key(council)
    found = next(
        (
            m
            for m in members_of(session, held.network.id or 0)
            if name_key(m.council) == wanted or m.member_team == council
        ),
        None,
    )
    if found is None or found.member_team == team_id:
        raise NetworkError(
            f"“{council}” isn't a member council of “{held.network.name}” the hosts can remove."
        )
    withdrawn = _withdraw_all(session, held.network, found.member_team)
    found.left_at, found.removed = now, True
    session.add(found)
    _audit(
        session,
        held.network,
        team_id,
        by,
        "remove",
        now,
        council=found.council,
        withdrawn=withdrawn,
    )
    session.commit()
    audit_elsewhere(
        session,
        held.network,
        acting=team_id,
        to=found.member_team,
        by=by,
        action="removed",
        now=now,
        withdrawn=withdrawn,
    )
    return found


def set_digest_channel(
    session: Session, *, team_id: str, name: str, channel_id: str | None, by: str, now: datetime
) -> Network:
    """Where the workspace hears the network's weekly digest (None: nowhere). Commits."""
    held = find_membership(session, team_id, name)
    held.member.digest_channel = channel_id
    session.add(held.member)
    _audit(session, held.network, team_id, by, "digest", now, channel=channel_id)
    session.commit()
    return held.network
