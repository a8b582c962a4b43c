"""Breakout timers: "2 minutes left" and "time's up", from the database, so a restart keeps them."""

import logging
from datetime import datetime

from slack_sdk import WebClient

from handlers.breakout_flow import close_current, finish, in_thread
from handlers.sending import Clients, for_team
from handlers.services import Services
from knowledge import breakout as rounds
from storage.claims import Lease
from storage.models import BreakoutRound, BreakoutTimer

logger = logging.getLogger("partnerbot.timers")


def run_breakout_timers(
    services: Services, clients: WebClient | Clients, now: datetime
) -> list[str]:
    """Post every timer message due at `now`; time's up on the last question closes the round.
    Timers are claimed under a lease, like nudges (storage/claims.py)."""
    done = []
    with Lease(services.sessions, BreakoutTimer, now=now) as lease:
        for timer in lease.rows():
            if not lease.hold(timer):
                continue
            client = for_team(clients, timer.team_id)
            if client is None:  # its workspace uninstalled the bot
                lease.finish(timer, status="done")
                continue
            try:
                line = _post(services, client, timer, now)
            except Exception:  # a timer must never stop the scheduler; the next run retries it
                logger.exception("breakout timer failed", extra={"round": timer.round_id})
                continue
            lease.finish(timer, status="done")
            if line:
                done.append(line)
    return done


def _post(services: Services, client: WebClient, timer: BreakoutTimer, now: datetime) -> str | None:
    with services.sessions() as session:
        round_ = session.get(BreakoutRound, timer.round_id)
    if round_ is None or round_.status != rounds.OPEN or round_.current != timer.number:
        return None
    if timer.kind == rounds.WARNING:
        # after an outage the warning may come due with time already up: skip it
        if now >= timer.due_at + rounds.WARN_BEFORE:
            return None
        in_thread(services, client, round_, "⏳ 2 minutes left.")
    else:
        in_thread(services, client, round_, "⌛ Time's up for this question.")
        if round_.current + 1 >= len(rounds.questions_of(round_)):
            finish(services, client, round_, round_.facilitator_id)
        else:
            close_current(services, client, round_)
    return f"{timer.kind} round {timer.round_id} question {timer.number + 1}"
