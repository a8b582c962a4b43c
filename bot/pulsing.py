"""The scheduler's pulse job (and the shell's `/pulses`): close each pulse whose week is over,
posting what it may show, and start this month's pulse for each open partnership with a
channel, in the council's working hours. Both are claimed in the database, so two processes
never start or announce the same pulse twice."""

import logging
from datetime import datetime

from slack_sdk import WebClient

from handlers.pulse_flow import close_and_tell, open_pulse
from handlers.sending import Clients, for_team
from handlers.services import Services
from knowledge.pulses import PulseError, due_for_closing, due_monthly
from knowledge.workdays import in_working_hours

logger = logging.getLogger("partnerbot.pulses")


def run_pulses(services: Services, clients: WebClient | Clients, now: datetime) -> list[str]:
    """Close the pulses due to close and start the month's; one line for each."""
    lines = []
    with services.sessions() as session:
        closing = due_for_closing(session, now=now)
    for pulse in closing:
        client = for_team(clients, pulse.team_id)
        if client is None:  # its workspace uninstalled the bot
            continue
        found = close_and_tell(client, services, pulse, by=None, now=now)
        if found is not None:
            shown = "shown" if found.shown else "too few to show"
            lines.append(f"pulse {pulse.id} closed: {found.answered} answers, {shown}")
    if not in_working_hours(now, services.timezone):
        return lines
    with services.sessions() as session:
        due = due_monthly(session, now=now)
    for partnership in due:
        client = for_team(clients, partnership.team_id)
        if client is None:
            continue
        try:
            started = open_pulse(
                client, services, partnership, opened_by=None, period=f"{now:%Y-%m}", now=now
            )
        except PulseError as error:  # no members, say: the next run tries again
            logger.info(
                "no monthly pulse", extra={"partnership": partnership.id, "why": str(error)}
            )
            continue
        if started is not None:
            lines.append(f"pulse {started.id} started for partnership {partnership.id}")
    return lines
