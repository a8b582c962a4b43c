"""Breakout timers: "2 minutes left" and "time's up", from the database, so a restart keeps them."""

import logging
from datetime import datetime

from slack_sdk import WebClient

from handlers.breakout_flow import close_current, finish, in_thread
from handlers.services import Services
from knowledge import breakout as rounds
from storage.models import BreakoutRound

logger = logging.getLogger("partnerbot.timers")


def run_breakout_timers(services: Services, client: WebClient, now: datetime) -> list[str]:
    """Post every timer message due at `now`; time's up on the last question closes the round."""
    with services.sessions() as session:
        timers = rounds.claim_timers(session, now=now)
    done = []
    for timer in timers:
        try:
            with services.sessions() as session:
                round_ = session.get(BreakoutRound, timer.round_id)
            if (
                round_ is not None
                and round_.status == rounds.OPEN
                and round_.current == timer.number
            ):
                if timer.kind == rounds.WARNING:
                    # after an outage the warning may come due with time already up: skip it
                    if now < timer.due_at + rounds.WARN_BEFORE:
                        in_thread(services, client, round_, "⏳ 2 minutes left.")
                        done.append(
                            f"{timer.kind} round {timer.round_id} question {timer.number + 1}"
                        )
                else:
                    in_thread(services, client, round_, "⌛ Time's up for this question.")
                    last = round_.current + 1 >= len(rounds.questions_of(round_))
                    if last:
                        finish(services, client, round_, round_.facilitator_id)
                    else:
                        close_current(services, client, round_)
                    done.append(f"{timer.kind} round {timer.round_id} question {timer.number + 1}")
            with services.sessions() as session:
                rounds.finish_timer(session, timer.id or 0)
        except Exception:  # a timer must never stop the scheduler; it is retried after a while
            logger.exception("breakout timer failed", extra={"round": timer.round_id})
    return done
