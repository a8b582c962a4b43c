"""A programme network's weekly digest, for each member council that chose a channel: what
other councils shared that week, and what people found most helpful this month."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.network import Network, NetworkMember, SharedEntry, SharedVote

DIGEST_DAYS = 7
HELPFUL_DAYS = 30  # "most helpful this month"
HELPFUL_SHOWN = 3


@dataclass(frozen=True)
class NetworkDigest:
    """What one member council's chosen channel hears this week from one network: the entries
    other councils shared or updated in the last week (shown to it now), and theirs found most
    helpful in the last month."""

    team_id: str
    channel_id: str
    network: Network
    new: list[SharedEntry]
    helpful: list[tuple[SharedEntry, int]]  # the most found helpful this month, with how often


def network_digests(session: Session, *, now: datetime) -> list[NetworkDigest]:
    """This week's network digests, for every member council that chose a channel and has
    something new from the others (none from its own, none waiting or hidden)."""
    since = now - timedelta(days=DIGEST_DAYS)
    found = []
    for member, network in session.exec(
        select(NetworkMember, Network)
        .join(Network, col(Network.id) == col(NetworkMember.network_id))
        .where(col(NetworkMember.left_at).is_(None))
        .where(col(NetworkMember.digest_channel).is_not(None))
    ):
        new = list(
            session.exec(
                select(SharedEntry)
                .where(SharedEntry.network_id == network.id)
                .where(SharedEntry.from_team != member.member_team)
                .where(col(SharedEntry.updated_at) >= since)
                .where(col(SharedEntry.pending).is_(False))
                .where(col(SharedEntry.hidden_at).is_(None))
                .order_by(col(SharedEntry.updated_at).desc())
            )
        )
        helpful = _most_helpful(session, network, member.member_team, now)
        if new or helpful:
            channel = member.digest_channel or ""
            found.append(NetworkDigest(member.member_team, channel, network, new, helpful))
    return found


def _most_helpful(
    session: Session, network: Network, team_id: str, now: datetime
) -> list[tuple[SharedEntry, int]]:
    """Other councils' entries in the network found most helpful in the last month."""
    since = now - timedelta(days=HELPFUL_DAYS)
    votes = func.count(col(SharedVote.id))
    rows = session.exec(
        select(SharedEntry, votes)
        .join(SharedVote, col(SharedVote.shared_id) == col(SharedEntry.id))
        .where(SharedEntry.network_id == network.id)
        .where(SharedEntry.from_team != team_id)
        .where(col(SharedEntry.pending).is_(False))
        .where(col(SharedEntry.hidden_at).is_(None))
        .where(col(SharedVote.at) >= since)
        .group_by(col(SharedEntry.id))
        .order_by(votes.desc(), col(SharedEntry.id))
        .limit(HELPFUL_SHOWN)
    )
    return [(row, int(count)) for row, count in rows]
