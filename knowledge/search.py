"""Search: each workspace's index kept in step with the database, ranking, snippets.

The database is the truth. An index is built from it on a workspace's first search, then brought
up to date before every search by reading only the entries changed since (a small indexed
query), so a save or an edit in any process is found at once, and nothing is lost on restart."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from knowledge.entries import document_of
from knowledge.index import Filters, SearchIndex
from knowledge.library import sync_library
from knowledge.network_search import NetworkSearch, SharedHit
from knowledge.partnerships import find_partnership
from knowledge.postings import give_back_memory
from knowledge.query import FILTER_HELP, Query, QueryError
from knowledge.ranking import ranked
from knowledge.snapshots import Snapshot, load_snapshot, mark_erased, save_snapshot
from knowledge.text import fold
from storage.db import SessionFactory
from storage.keyring import Keyring
from storage.models import Entry, SearchSnapshot

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
PAGE = 5
NETWORK_ALSO = 3  # other councils' shared entries shown after a workspace's own answers
MAX_RESULTS = 50
CANDIDATES = 60
# Changes committed out of order by other processes are caught by looking back a little.
LOOKBACK = timedelta(seconds=30)
SNAPSHOT_EVERY = 2000  # changes indexed before the snapshot is written again
# how often a process asks whether someone was forgotten in a workspace since it built the
# index (forget-user runs elsewhere): within this long, no process holds their words any more
ERASURE_CHECK = timedelta(seconds=30)
GIVE_BACK_EVERY = 32 * 2**20  # bytes of evicted indexes after which freed memory goes back
INDEX_MEMORY_MB = 256  # the default ceiling on indexes held in a process: fits a 512 MB worker


@dataclass(frozen=True)
class Hit:
    entry_id: int
    score: float
    matched: frozenset[str]


@dataclass(frozen=True)
class Results:
    """One page of answers, how many there are in all, and did-you-mean words."""

    hits: list[Hit]
    total: int
    offset: int
    suggestions: tuple[str, ...] = ()
    close: bool = True  # False: no answer is close, these only touch on the question
    # what other councils shared with the workspace's networks: after its own on a first page,
    # or (`from:network`, `council:NAME`) the page itself, counted in `total`
    shared: tuple[SharedHit, ...] = ()
    network_only: bool = False

    @property
    def has_more(self) -> bool:
        shown = len(self.shared) if self.network_only else len(self.hits)
        return self.offset + shown < self.total


@dataclass
class _Workspace:
    index: SearchIndex
    seen_until: datetime | None = None  # the newest change indexed; None before the first load
    versions: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    unsaved: int = 0  # changes indexed since the last snapshot
    built_at: datetime = EPOCH  # when the index was loaded or built (erasures since: rebuild)
    checked_at: datetime = EPOCH  # when this process last asked about erasures
    footprint: int = 0  # bytes, as the index last measured itself
    users: int = 0  # requests inside index() for it now: never let go meanwhile


@dataclass
class CacheFigures:
    """What a process's cache of indexes holds and has done, for /metrics and benchmarks."""

    workspaces: int
    bytes: int
    limit: int
    loads: int  # from a snapshot
    builds: int  # from the database
    evictions: int


class KnowledgeSearch:
    """The knowledge base's search, for every workspace; one per process.

    With a `keyring` (the deployment's own keys), a workspace's first index in a process is
    loaded from its snapshot when there is one (knowledge/snapshots.py), and a snapshot is
    written after a full build and again every SNAPSHOT_EVERY changes.

    The indexes held are bounded by `memory_mb`: past it, the workspaces searched least
    recently are let go (and loaded from their snapshots when next asked). Two requests for the
    same workspace wait for one build, and an index being built is never let go (a search
    already under way keeps its own reference to the index it was given).
    """

    def __init__(
        self,
        sessions: SessionFactory,
        clock: Callable[[], datetime],
        keyring: Keyring | None = None,
        memory_mb: float = INDEX_MEMORY_MB,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._keyring = keyring
        self._limit = int(memory_mb * 1024 * 1024)
        self._workspaces: OrderedDict[str, _Workspace] = OrderedDict()  # least recent first
        self._lock = threading.Lock()
        self._loads = self._builds = self._evictions = 0
        self._freed = 0  # bytes of indexes evicted since memory was last given back
        self.network = NetworkSearch(sessions)  # what other councils shared with its networks

    def figures(self) -> CacheFigures:
        with self._lock:
            return CacheFigures(
                workspaces=sum(1 for s in self._workspaces.values() if s.seen_until is not None),
                bytes=sum(s.footprint for s in self._workspaces.values()),
                limit=self._limit,
                loads=self._loads,
                builds=self._builds,
                evictions=self._evictions,
            )

    def _evict(self, keep: str) -> None:
        """Let go of the least recently searched indexes until the rest fit (the one just
        used stays, however large; so does any index another thread is building or reading)."""
        gone: list[_Workspace] = []
        with self._lock:
            held = sum(s.footprint for s in self._workspaces.values())
            for team_id in list(self._workspaces):
                if held <= self._limit:
                    break
                state = self._workspaces[team_id]
                if team_id == keep or state.users:
                    continue
                gone.append(self._workspaces.pop(team_id))
                held -= state.footprint
                self._evictions += 1
            self._freed += sum(state.footprint for state in gone)
            trim, self._freed = self._freed >= GIVE_BACK_EVERY, self._freed % GIVE_BACK_EVERY
        if gone:
            del gone, state  # the indexes themselves, freed here, outside the lock
            if trim:
                give_back_memory()

    @contextmanager
    def _held(self, team_id: str) -> Iterator[_Workspace]:
        """A workspace's cache entry, its lock held and kept from eviction meanwhile; then the
        cache is brought back under its ceiling."""
        with self._lock:
            state = self._workspaces.get(team_id)
            if state is None:
                state = self._workspaces[team_id] = _Workspace(SearchIndex())
            self._workspaces.move_to_end(team_id)
            state.users += 1
        try:
            with state.lock:
                yield state
        finally:
            with self._lock:
                state.users -= 1
            self._evict(keep=team_id)

    def index(self, team_id: str) -> SearchIndex:
        """The workspace's index, brought up to date with the database."""
        with self._held(team_id) as state:
            return self._current(team_id, state)

    def _current(self, team_id: str, state: _Workspace) -> SearchIndex:
        """Bring one workspace's index up to date (its lock held)."""
        changed = 0
        with self._sessions() as session:
            if state.seen_until is not None and self._erased_since(session, team_id, state):
                # someone was forgotten: what this index holds of them goes with it
                state.index, state.versions, state.seen_until = SearchIndex(), {}, None
            if state.seen_until is None:  # first use in this process: this release's library
                state.built_at = state.checked_at = self._clock()
                sync_library(session, team_id=team_id, now=self._clock())
                loaded = self._load(session, team_id, state)
                state.unsaved = changed = self._catch_up(session, team_id, state)
                if not loaded:
                    state.unsaved = SNAPSHOT_EVERY  # a full build: worth keeping at once
                with self._lock:
                    self._loads += loaded
                    self._builds += not loaded
                changed += 1  # measure it
            else:
                changed = self._catch_up(session, team_id, state)
                state.unsaved += changed
            if state.unsaved >= SNAPSHOT_EVERY and self._keyring is not None:
                snapshot = Snapshot(state.index, state.versions, state.seen_until or EPOCH)
                save_snapshot(
                    session,
                    team_id=team_id,
                    snapshot=snapshot,
                    keyring=self._keyring,
                    now=self._clock(),
                )
                state.unsaved = 0
        if changed:
            state.footprint = state.index.footprint()
        return state.index

    def keep(self, team_id: str) -> int:
        """After a bulk change (an import): bring the workspace's index up to date and write
        its snapshot now, so the next process's first search loads it instead of building it.
        Returns the snapshot's size in bytes (0 without a keyring)."""
        with self._held(team_id) as state:
            self._current(team_id, state)
            if self._keyring is None:
                return 0
            with self._sessions() as session:
                state.unsaved = 0
                return save_snapshot(
                    session,
                    team_id=team_id,
                    snapshot=Snapshot(state.index, state.versions, state.seen_until or EPOCH),
                    keyring=self._keyring,
                    now=self._clock(),
                )

    def drop(self, team_id: str) -> None:
        """A workspace's data is gone (purged): let go of its index in this process."""
        with self._lock:
            self._workspaces.pop(team_id, None)

    def _erased_since(self, session: Session, team_id: str, state: _Workspace) -> bool:
        """Whether someone was forgotten in the workspace after this index was built (asked at
        most every ERASURE_CHECK)."""
        now = self._clock()
        if now - state.checked_at < ERASURE_CHECK:
            return False
        state.checked_at = now
        erased = session.exec(
            select(SearchSnapshot.erased_at).where(SearchSnapshot.team_id == team_id)
        ).first()
        return erased is not None and erased > state.built_at

    def rebuild_after_erasure(self, team_id: str) -> SearchIndex:
        """Someone was forgotten: mark it, so every process throws its index away, then build
        this one from the database and keep it as the snapshot (which holds nothing of them)."""
        with self._lock:
            self._workspaces.pop(team_id, None)
        with self._sessions() as session:
            mark_erased(session, team_id=team_id, now=self._clock())
        return self.index(team_id)

    def _load(self, session: Session, team_id: str, state: _Workspace) -> bool:
        if self._keyring is None:
            return False
        snapshot = load_snapshot(session, team_id=team_id, keyring=self._keyring)
        if snapshot is None:
            return False
        state.index, state.versions, state.seen_until = (
            snapshot.index,
            snapshot.versions,
            snapshot.seen_until,
        )
        return True

    def ready(self, team_id: str) -> bool:
        """Whether this process has built the workspace's index already (without building it)."""
        with self._lock:
            state = self._workspaces.get(team_id)
        return state is not None and state.seen_until is not None

    def _catch_up(self, session: Session, team_id: str, state: _Workspace) -> int:
        """Index entries changed since the index last looked; how many changed."""
        changed = 0
        statement = select(Entry).where(Entry.team_id == team_id)
        if state.seen_until is None:
            statement = statement.where(col(Entry.deleted_at).is_(None))
        else:
            statement = statement.where(col(Entry.changed_at) >= state.seen_until - LOOKBACK)
        fresh = []  # embedded together: one batch, not one call per entry
        for entry in session.exec(statement):
            entry_id = entry.id or 0
            if state.versions.get(entry_id) == entry.version:
                continue
            state.versions[entry_id] = entry.version
            changed += 1
            if entry.deleted_at is not None:
                state.index.remove(entry_id)
            else:
                fresh.append(document_of(entry))
            if state.seen_until is None or entry.changed_at > state.seen_until:
                state.seen_until = entry.changed_at
        state.index.add_all(fresh)
        if state.seen_until is None:  # an empty workspace: anything saved from now on is new
            state.seen_until = EPOCH
        return changed

    def search(
        self,
        *,
        team_id: str,
        query: Query,
        channel_id: str | None,
        now: datetime,
        offset: int = 0,
        limit: int = PAGE,
        only_this_channel: bool = False,
    ) -> Results:
        """The answers to a question asked in a channel (None: from outside Slack). With
        `only_this_channel` (someone from outside the council, or an answer everyone in a shared
        channel sees): only what was saved in that channel, and the curated library."""
        if query.network:  # what other councils shared: never for someone outside the council
            theirs = (
                []
                if only_this_channel
                else self.network.search(team_id=team_id, query=query, now=now)
            )
            return Results(
                hits=[],
                total=len(theirs),
                offset=offset,
                shared=tuple(theirs[offset : offset + limit]),
                network_only=True,
            )
        partnership_id = None
        if query.partnership:
            with self._sessions() as session:
                found = find_partnership(session, team_id=team_id, name=query.partnership)
            if found is None:
                raise QueryError(
                    f"There is no partnership called “{query.partnership}”. "
                    f"`/partners partnership list` shows them. {FILTER_HELP}"
                )
            partnership_id = found.id
        index = self.index(team_id)
        filters = Filters(
            kinds=query.kinds,
            tags=query.tags,
            partnership_id=partnership_id,
            author_id=query.author_id,
            channel_id=channel_id,
            only_this_channel=only_this_channel,
        )
        ranking = ranked(index, query, filters, now)
        page = ranking.items[offset : offset + limit]
        matched = index.matched([slot for slot, _ in page], list(query.words))
        hits = [
            Hit(index.entry_of(slot), score, frozenset(terms))
            for (slot, score), terms in zip(page, matched, strict=True)
        ]
        # did you mean…? for every word no visible entry uses, whether or not answers were
        # found through its correction (so "goverence" says it was read as "governance")
        suggestions: list[str] = []
        for word in query.words:
            if ranking.items and index.vocabulary.knows(fold(word)):
                continue
            closest = index.closest_word(word, filters)
            if closest and closest != fold(word) and closest not in suggestions:
                suggestions.append(closest)
        shared: list[SharedHit] = []
        if offset == 0 and not (only_this_channel or query.partnership or query.author_id):
            shared = self.network.search(team_id=team_id, query=query, now=now)[:NETWORK_ALSO]
        return Results(
            hits=hits,
            total=len(ranking.items),
            offset=offset,
            suggestions=tuple(suggestions),
            close=ranking.close,
            shared=tuple(shared),
        )
