"""The 09:30 burst's common case, a batch at a time: reminders about commitments (not
escalations, nor one a run that died was part-way through sending) are decided with three
queries for the whole batch, marked as being sent in one statement, sent SENDERS at a time
with each workspace at its own pace (bot/pacing.py), and marked sent together afterwards
(storage/claims.py: `finish_later`). Everything else goes one by one (bot/nudging.py)."""

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.pacing import Pacing
from bot.reaching import send
from handlers.commitment_blocks import build_nudge
from handlers.metrics import REMINDERS
from handlers.people import person
from handlers.sending import Clients, for_team
from handlers.services import Services
from knowledge.nudges import (
    CLAIMED,
    ESCALATION,
    PENDING,
    PULSE,
    SUPERSEDED,
    Decision,
    Policy,
    absences,
    decide,
    policy_for,
    sent,
)
from knowledge.workdays import local_today
from storage.claims import Lease
from storage.models import Commitment, CommitmentOwner, Nudge

logger = logging.getLogger("partnerbot.nudges")

SENDERS = 16  # reminders sent at once by one run: Slack's latency, not our CPU, is the limit
BATCH = 4 * SENDERS  # claimed at a time


class Team:
    """One workspace in a run: time zones for people who own nothing (a creator), asked of
    Slack once per run; its nudge policy, read once per run; and its pace of sending."""

    def __init__(self, services: Services, client: WebClient, team_id: str, pace: Pacing) -> None:
        self._services, self._client, self._team_id = services, client, team_id
        self._known: dict[str, str] = {}
        self._policy: Policy | None = None
        self._away: dict[str, date] | None = None
        self._pace = pace

    def of(self, user_id: str) -> str:
        if user_id not in self._known:
            self._known[user_id] = person(self._client, self._services, user_id)[0]
        return self._known[user_id]

    def policy(self, session: Session) -> Policy:
        if self._policy is None:
            self._policy = policy_for(session, self._team_id)
        return self._policy

    def away(self, session: Session) -> Callable[[str], date | None]:
        """Who is away (their last day), read once per run for the workspace."""
        if self._away is None:
            self._away = absences(session, self._team_id)
        return self._away.get

    def pace(self, channel: str) -> None:
        """Wait for this workspace's (and this channel's) next free moment to post."""
        self._pace.wait(self._team_id, channel)


class Teams:
    """Team for each workspace, with its own client (found once per run)."""

    def __init__(self, services: Services, clients: WebClient | Clients) -> None:
        self._services, self._clients = services, clients
        self._teams: dict[str, Team] = {}
        self._found: dict[str, WebClient | None] = {}
        self._lock = threading.Lock()
        self._pace = Pacing()

    def client(self, team_id: str) -> WebClient | None:
        with self._lock:
            if team_id not in self._found:
                self._found[team_id] = for_team(self._clients, team_id)
            return self._found[team_id]

    def of(self, team_id: str) -> Team:
        client = self.client(team_id)
        assert client is not None
        with self._lock:
            if team_id not in self._teams:
                self._teams[team_id] = Team(self._services, client, team_id, self._pace)
            return self._teams[team_id]


@dataclass
class Ready:
    """A reminder decided and written, waiting only to be sent."""

    nudge: Nudge
    commitment: Commitment
    owner: CommitmentOwner | None
    text: str
    blocks: list[dict[str, Any]]


@dataclass
class Reminder:
    """One reminder about a commitment, decided: whether to send it (or what to change on it
    instead), and what it says."""

    decision: Decision
    owner: CommitmentOwner | None  # the recipient, when they own it
    owner_ids: list[str]
    today: date  # in the recipient's time zone


def decide_reminder(
    session: Session,
    nudge: Nudge,
    commitment: Commitment,
    owners: list[CommitmentOwner],
    team: Team,
    now: datetime,
    later: list[Nudge] | None = None,
) -> Reminder:
    """Decide one reminder about a commitment, one at a time or a batch at a time: the same
    rules either way (knowledge.nudges.decide), in the recipient's own time zone."""
    owner = next((o for o in owners if o.user_id == nudge.recipient_id), None)
    tz = owner.tz if owner else team.of(nudge.recipient_id)
    decision = decide(
        session,
        nudge,
        commitment=commitment,
        tz=tz,
        now=now,
        policy=team.policy(session),
        away=team.away(session),
        later=later,
    )
    return Reminder(decision, owner, [o.user_id for o in owners], local_today(now, tz))


def after_send(
    lease: Lease[Nudge],
    nudge: Nudge,
    commitment: Commitment,
    answer: tuple[str | None, str | None, str],
    now: datetime,
) -> str | None:
    """Write what Slack answered to a reminder's send: sent (marked with the batch), or tried
    again by a later run (Slack refused it, so there is nothing to look for; or must wait)."""
    channel, ts, how = answer
    if channel is None:
        clear = {"sending_at": None} if how == "refused" else {}
        lease.finish(nudge, attempts=nudge.attempts + 1, **clear)
        return None
    lease.finish_later(nudge, **sent(channel=channel, ts=ts, now=now))
    return (
        f"{now:%Y-%m-%d %H:%M} UTC  {nudge.kind:<10} commitment {commitment.id} "
        f"→ {nudge.recipient_id} ({how})"
    )


def batchable(nudge: Nudge) -> bool:
    """A plain reminder about a commitment, never begun: the burst's common case."""
    return (
        nudge.commitment_id is not None
        and nudge.partnership_id is None
        and nudge.benefit_id is None
        and nudge.kind not in (ESCALATION, PULSE)
        and nudge.sending_at is None
    )


def change(lease: Lease[Nudge], nudge: Nudge, values: dict[str, Any]) -> None:
    """Put a reminder off or drop it (while this run holds it)."""
    try:
        lease.finish(nudge, **values)
    except IntegrityError:  # put off to an instant it is already owed at: that one speaks
        lease.finish(nudge, status=SUPERSEDED)


def prepare(
    services: Services, lease: Lease[Nudge], nudges: list[Nudge], now: datetime, teams: Teams
) -> list[Ready]:
    """Decide each reminder (as knowledge.nudges.decide does for one), reading the batch's
    commitments, owners and other reminders in three queries; those to send now, rendered.
    What is put off or dropped is written here (few: the burst is of reminders due)."""
    if not nudges:
        return []
    ids = sorted({nudge.commitment_id or 0 for nudge in nudges})
    ready, changes = [], []
    with services.sessions() as session:
        commitments = {
            c.id: c for c in session.exec(select(Commitment).where(col(Commitment.id).in_(ids)))
        }
        owners: defaultdict[int, list[CommitmentOwner]] = defaultdict(list)
        for row in session.exec(
            select(CommitmentOwner)
            .where(col(CommitmentOwner.commitment_id).in_(ids))
            .order_by(col(CommitmentOwner.id))
        ):
            owners[row.commitment_id].append(row)
        others: defaultdict[int, list[Nudge]] = defaultdict(list)
        for other in session.exec(
            select(Nudge)
            .where(col(Nudge.commitment_id).in_(ids))
            .where(col(Nudge.status).in_([PENDING, CLAIMED]))
            .where(col(Nudge.due_at) <= now)
        ):
            others[other.commitment_id or 0].append(other)
        for nudge in nudges:
            commitment = commitments.get(nudge.commitment_id)
            if commitment is None:
                continue
            held = owners[commitment.id or 0]
            later = [
                n
                for n in others[commitment.id or 0]
                if n.recipient_id == nudge.recipient_id and n.id != nudge.id
            ]
            one = decide_reminder(
                session, nudge, commitment, held, teams.of(nudge.team_id), now, later
            )
            if not one.decision.send:
                changes.append((nudge, one.decision.change))
                continue
            text, blocks = build_nudge(
                commitment, one.owner_ids, one.today, kind=nudge.kind, number=nudge.number
            )
            ready.append(Ready(nudge, commitment, one.owner, text, blocks))
    for nudge, values in changes:
        change(lease, nudge, values)
    return ready


def send_ready(
    services: Services,
    lease: Lease[Nudge],
    ready: list[Ready],
    now: datetime,
    teams: Teams,
    pool: ThreadPoolExecutor,
) -> "list[Future[str | None]]":
    """Mark the batch as being sent (one statement: if this process dies, the next run looks
    in Slack before sending again), then send each at its workspace's pace, on the pool: the
    sends under way, each a line once sent."""
    if not ready:
        return []
    ours = lease.finish_all([r.nudge for r in ready], sending_at=lease.database_now())

    def go(item: Ready) -> str | None:
        nudge = item.nudge
        client = teams.client(nudge.team_id)
        assert client is not None  # batchable ones have one
        teams.of(nudge.team_id).pace(nudge.recipient_id)
        try:
            channel, ts, how = send(
                services,
                client,
                item.commitment,
                item.owner,
                nudge.recipient_id,
                item.text,
                item.blocks,
                nudge_id=nudge.id or 0,
            )
        except Exception:  # never let one stop the others; a later run looks, then retries
            REMINDERS.labels("failed").inc()
            logger.exception(
                "nudge failed; it will be retried",
                extra={"commitment": nudge.commitment_id, "nudge": nudge.id},
            )
            lease.finish(nudge, attempts=nudge.attempts + 1)
            return None
        line = after_send(lease, nudge, item.commitment, (channel, ts, how), now)
        REMINDERS.labels("sent").inc(line is not None)
        return line

    return [pool.submit(go, item) for item in ready if item.nudge.id in ours]
