"""Finding what other councils shared: each network's shared entries in an index of their own,
ranked as a workspace's own are (knowledge/ranking.py), and shown after them.

A network's index is rebuilt whenever its version moved (every share, update, withdrawal and
hide moves it), checked with one query before every search: so a withdrawn entry is gone from
every member's next search, in every process. Networks hold hundreds of entries, not tens of
thousands, so a rebuild is quick and nothing is snapshotted."""

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from knowledge.documents import Document, Filters
from knowledge.index import SearchIndex
from knowledge.network import memberships, name_key
from knowledge.query import Query, QueryError
from knowledge.ranking import ranked
from storage.db import SessionFactory
from storage.network import Network, NetworkMember, SharedEntry

NETWORKS_HELD = 64  # networks' indexes a process keeps (each a few hundred entries)


@dataclass(frozen=True)
class SharedHit:
    """A shared entry found: its id in the network's table, and how well it answers."""

    shared_id: int
    score: float
    matched: frozenset[str]


@dataclass
class _Held:
    version: int
    index: SearchIndex
    sources: dict[int, tuple[str, int]]  # shared id → the council that shared it, its entry


class NetworkSearch:
    """Each network's index, current with its version; searched for one workspace at a time."""

    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions
        self._held: OrderedDict[int, _Held] = OrderedDict()
        self._lock = threading.Lock()

    def _index(self, session: Session, network: Network) -> _Held:
        network_id = network.id or 0
        with self._lock:
            held = self._held.get(network_id)
            if held is not None and held.version == network.version:
                self._held.move_to_end(network_id)
                return held
        rows = session.exec(
            select(SharedEntry)
            .where(SharedEntry.network_id == network_id)
            .where(col(SharedEntry.hidden_at).is_(None))
            .where(col(SharedEntry.pending).is_(False))
        ).all()
        index = SearchIndex()
        index.add_all(
            [
                Document(
                    entry_id=row.id or 0,
                    kind=row.kind,
                    title=row.title,
                    text=row.body,
                    tags=tuple(row.tags.split()),
                    created=row.shared_at,
                )
                for row in rows
            ]
        )
        sources = {row.id or 0: (row.from_team, row.entry_id) for row in rows}
        held = _Held(network.version, index, sources)
        with self._lock:
            self._held[network_id] = held
            self._held.move_to_end(network_id)
            while len(self._held) > NETWORKS_HELD:
                self._held.popitem(last=False)
        return held

    def search(self, *, team_id: str, query: Query, now: datetime) -> list[SharedHit]:
        """What other councils shared in the workspace's networks that answers the question,
        best first; an entry shared with two of them once. `council:NAME` keeps one council's."""
        found: dict[tuple[str, int], SharedHit] = {}
        with self._sessions() as session:
            held = memberships(session, team_id)
            if not held and not query.council:  # most workspaces, every ask: one query only
                return []
            councils = {
                m.member_team: m.council
                for m in session.exec(
                    select(NetworkMember)
                    .where(col(NetworkMember.network_id).in_([h.network.id for h in held]))
                    .where(col(NetworkMember.left_at).is_(None))
                )
            }
            wanted = None
            if query.council:
                wanted = {t for t, name in councils.items() if query.council in name_key(name)}
                if not wanted - {team_id}:
                    names = sorted({n for t, n in councils.items() if t != team_id})
                    raise QueryError(
                        f"No council called “{query.council}” shares with your networks"
                        + (f" (they are: {', '.join(names)})." if names else ".")
                    )
            for membership in held:
                one = self._index(session, membership.network)
                filters = Filters(kinds=query.kinds, tags=query.tags)
                for slot, score in ranked(one.index, query, filters, now).items:
                    shared_id = one.index.entry_of(slot)
                    key = one.sources.get(shared_id)
                    if key is None or key[0] == team_id or key[0] not in councils:
                        continue  # its own (found first anyway), or a council that has left
                    if wanted is not None and key[0] not in wanted:
                        continue
                    [matched] = one.index.matched([slot], list(query.words))
                    if key not in found or found[key].score < score:
                        found[key] = SharedHit(shared_id, score, frozenset(matched))
        return sorted(found.values(), key=lambda hit: -hit.score)
