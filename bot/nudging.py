"""Sending what is due: the scheduler's job and `partnerbot nudges run` call the same function.

Slack errors never stop a run: a 429 is waited out by the scheduler client's retry handler, a
person Slack cannot reach is nudged in the commitment's thread instead (and the creator told),
and anything else is logged with the commitment's id and tried again on the next run.
"""

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.nudge_batch import (
    BATCH,
    SENDERS,
    Team,
    Teams,
    after_send,
    batchable,
    change,
    decide_reminder,
    prepare,
    send_ready,
)
from bot.reaching import UNREACHABLE, delivered, metadata, refused, send, too_soon_to_look
from handlers.benefit_blocks import build_benefit_nudge
from handlers.commitment_blocks import build_escalation, build_nudge
from handlers.metrics import REMINDERS
from handlers.pulse_blocks import build_pulse_dm
from handlers.register_blocks import build_review_nudge
from handlers.sending import Clients, dm
from handlers.services import Services
from knowledge.benefits import decide_benefit
from knowledge.commitments import owners_of
from knowledge.nudges import (
    CANCELLED,
    ESCALATION,
    PULSE,
    sent,
)
from knowledge.pulses import decide_pulse, pulse_of
from knowledge.reviews import decide_review
from knowledge.workdays import local_today
from storage.claims import Lease
from storage.models import Benefit, Commitment, Nudge, Partnership

logger = logging.getLogger("partnerbot.nudges")


def send_due_nudges(services: Services, client: WebClient | Clients, now: datetime) -> list[str]:
    """Send every nudge due at `now`; one line for each one sent.

    Nudges are claimed a batch at a time (one statement) under a lease that a heartbeat renews
    while the run lives (storage/claims.py): however slowly Slack answers, no other process
    takes them, and each is acted on and marked only while this run still holds it. A batch's
    reminders go out SENDERS at a time, each workspace at its own pace (bot/pacing.py; slack_sdk's
    retry handler still waits out any 429), and are marked sent together when the batch is done.
    """
    teams = Teams(services, client)

    def one(lease: Lease[Nudge], nudge: Nudge) -> str | None:
        team_client = teams.client(nudge.team_id)
        if team_client is None:  # the workspace uninstalled the bot: nobody there to remind
            lease.finish(nudge, status=CANCELLED)
            return None
        try:
            line = _deliver(services, team_client, lease, nudge, now, teams.of(nudge.team_id))
            REMINDERS.labels("sent").inc(line is not None)  # none: held, or sent before
            return line
        except Exception:  # never let one nudge stop the others; the next run tries again
            REMINDERS.labels("failed").inc()
            logger.exception(
                "nudge failed; it will be retried",
                extra={"commitment": nudge.commitment_id, "nudge": nudge.id},
            )
            lease.finish(nudge, attempts=nudge.attempts + 1)
            return None

    sent_lines: list[str] = []
    under_way: list[Future[str | None]] = []  # the batch before: still sending

    def settle(sends: list[Future[str | None]]) -> None:
        sent_lines.extend(line for line in (f.result() for f in sends) if line)
        lease.flush()  # marked sent, a batch at a time

    with (
        Lease(services.sessions, Nudge, now=now, batch=BATCH) as lease,
        ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="nudge") as pool,
    ):
        # the next batch is claimed and made ready while the one before is still sending, so
        # the senders never wait on a batch's slowest answer
        for batch in lease.batches():
            held = lease.hold_all(batch)
            quick = [n for n in held if batchable(n) and teams.client(n.team_id) is not None]
            chosen = {id(n) for n in quick}
            rest = [n for n in held if id(n) not in chosen]
            try:
                ready = prepare(services, lease, quick, now, teams)
            except Exception:  # the batch's reading failed: each is tried on its own instead
                logger.exception("could not prepare a batch of reminders")
                ready, rest = [], held
            sends = send_ready(services, lease, ready, now, teams, pool)
            sends += [pool.submit(one, lease, n) for n in rest]
            settle(under_way)
            under_way = sends
        settle(under_way)
    return sent_lines


def _deliver(
    services: Services,
    client: WebClient,
    lease: Lease[Nudge],
    nudge: Nudge,
    now: datetime,
    zones: Team,
) -> str | None:
    if nudge.kind == PULSE:
        return _deliver_pulse(services, client, lease, nudge, now, zones)
    if nudge.partnership_id is not None:
        return _deliver_review(services, client, lease, nudge, now, zones)
    if nudge.benefit_id is not None:
        return _deliver_benefit(services, client, lease, nudge, now, zones)
    with services.sessions() as session:
        commitment = session.get(Commitment, nudge.commitment_id)
        if commitment is None:
            return None
        owners = owners_of(session, commitment.id or 0)
        one = decide_reminder(session, nudge, commitment, owners, zones, now)
        # an escalation to someone other than its creator goes to its partnership's lead
        partnership = (
            session.get(Partnership, commitment.partnership_id or 0)
            if nudge.kind == ESCALATION and nudge.recipient_id != commitment.created_by
            else None
        )
        led = partnership.name if partnership else None
        absent = zones.away(session)
        away = {
            o.user_id: until
            for o in owners
            if (until := absent(o.user_id)) is not None and until >= one.today
        }
    if not one.decision.send:
        change(lease, nudge, one.decision.change)
        return None
    if nudge.kind == ESCALATION:
        text, blocks = build_escalation(commitment, one.owner_ids, one.today, away, led=led)
    else:
        text, blocks = build_nudge(
            commitment, one.owner_ids, one.today, kind=nudge.kind, number=nudge.number
        )
    if too_soon_to_look(lease, nudge):
        return None
    if nudge.sending_at is not None:  # a run died while sending it: did it reach them?
        found = delivered(client, nudge, (commitment.channel_id, commitment.thread_ts))
        if found is not None:
            lease.finish(nudge, **sent(channel=found[0], ts=found[1], now=now))
            return None
    zones.pace(nudge.recipient_id)
    # marked first, so that if this process dies mid-send the next run looks before resending
    if not lease.finish(nudge, sending_at=lease.database_now()):
        return None  # taken by another process while we looked: it will send it
    answer = send(
        services,
        client,
        commitment,
        one.owner,
        nudge.recipient_id,
        text,
        blocks,
        nudge_id=nudge.id or 0,
    )
    return after_send(lease, nudge, commitment, answer, now)


def _deliver_review(
    services: Services,
    client: WebClient,
    lease: Lease[Nudge],
    nudge: Nudge,
    now: datetime,
    zones: Team,
) -> str | None:
    """A review reminder to a partnership's lead: a DM with Record review and Snooze a week."""
    tz = zones.of(nudge.recipient_id)
    with services.sessions() as session:
        policy = zones.policy(session)
        partnership = session.get(Partnership, nudge.partnership_id)
        decision = decide_review(
            session, nudge, partnership=partnership, tz=tz, now=now, policy=policy
        )
    if not decision.send or partnership is None:
        change(lease, nudge, decision.change)
        return None
    text, blocks = build_review_nudge(partnership, local_today(now, tz), number=nudge.number)
    return _dm_once(client, lease, nudge, now, zones, text, blocks, f"partnership {partnership.id}")


def _deliver_benefit(
    services: Services,
    client: WebClient,
    lease: Lease[Nudge],
    nudge: Nudge,
    now: datetime,
    zones: Team,
) -> str | None:
    """A benefit due and not updated: a DM to its owner with an Update button."""
    tz = zones.of(nudge.recipient_id)
    with services.sessions() as session:
        policy = zones.policy(session)
        benefit = session.get(Benefit, nudge.benefit_id)
        decision = decide_benefit(session, nudge, benefit=benefit, tz=tz, now=now, policy=policy)
    if not decision.send or benefit is None:
        change(lease, nudge, decision.change)
        return None
    text, blocks = build_benefit_nudge(benefit, local_today(now, tz))
    return _dm_once(client, lease, nudge, now, zones, text, blocks, f"benefit {benefit.id}")


def _deliver_pulse(
    services: Services,
    client: WebClient,
    lease: Lease[Nudge],
    nudge: Nudge,
    now: datetime,
    zones: Team,
) -> str | None:
    """A health pulse's DM to a member: Answer anonymously."""
    tz = zones.of(nudge.recipient_id)
    with services.sessions() as session:
        policy = zones.policy(session)
        pulse = pulse_of(session, nudge)
        partnership = session.get(Partnership, nudge.partnership_id)
    decision = decide_pulse(nudge, pulse=pulse, tz=tz, now=now, policy=policy)
    if not decision.send or pulse is None or partnership is None:
        change(lease, nudge, decision.change)
        return None
    text, blocks = build_pulse_dm(partnership, pulse)
    return _dm_once(
        client,
        lease,
        nudge,
        now,
        zones,
        text,
        blocks,
        f"pulse {pulse.id}",
        or_in=partnership.channel_id,  # a Slack Connect partner is asked there, privately
    )


def _dm_once(
    client: WebClient,
    lease: Lease[Nudge],
    nudge: Nudge,
    now: datetime,
    zones: Team,
    text: str,
    blocks: list[dict[str, Any]],
    about: str,
    *,
    or_in: str | None = None,
) -> str | None:
    """DM a reminder once: if a run died while sending it, look for it first (metadata). If
    Slack can't DM them (a Slack Connect partner), and `or_in` names a channel, they get it
    there as a message only they see."""
    if too_soon_to_look(lease, nudge):
        return None
    if nudge.sending_at is not None:
        found = delivered(client, nudge)
        if found is not None:
            lease.finish(nudge, **sent(channel=found[0], ts=found[1], now=now))
            return None
    zones.pace(nudge.recipient_id)
    if not lease.finish(nudge, sending_at=lease.database_now()):
        return None
    try:
        posted = dm(client, nudge.recipient_id, text, blocks, metadata=metadata(nudge.id or 0))
    except SlackApiError as error:
        code = error.response.get("error")
        if code in UNREACHABLE and or_in:
            return _ephemeral(client, lease, nudge, now, text, blocks, about, or_in)
        logger.warning("could not send a reminder", extra={"about": about, "error": code})
        REMINDERS.labels("unreachable" if code in UNREACHABLE else "failed").inc()
        # someone Slack says is gone will never get it: a new lead or owner is for people to set
        status = {"status": CANCELLED} if code in UNREACHABLE else {}
        clear = {"sending_at": None} if refused(error) else {}
        lease.finish(nudge, attempts=nudge.attempts + 1, **status, **clear)
        return None
    lease.finish_later(nudge, **sent(channel=posted["channel"], ts=posted["ts"], now=now))
    return f"{now:%Y-%m-%d %H:%M} UTC  {nudge.kind:<10} {about} → {nudge.recipient_id} (DM)"


def _ephemeral(
    client: WebClient,
    lease: Lease[Nudge],
    nudge: Nudge,
    now: datetime,
    text: str,
    blocks: list[dict[str, Any]],
    about: str,
    channel: str,
) -> str | None:
    try:
        posted = client.chat_postEphemeral(
            channel=channel, user=nudge.recipient_id, text=text, blocks=blocks
        )
    except SlackApiError as error:
        code = error.response.get("error")
        logger.warning("could not send a reminder", extra={"about": about, "error": code})
        lease.finish(nudge, attempts=nudge.attempts + 1, status=CANCELLED)
        return None
    lease.finish(nudge, **sent(channel=channel, ts=posted.get("message_ts"), now=now))
    return f"{now:%Y-%m-%d %H:%M} UTC  {nudge.kind:<10} {about} → {nudge.recipient_id} (in channel)"
