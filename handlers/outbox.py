"""Sending what the outbox owes (storage/outbox.py), from the listener that owes it and from the
scheduler's job that sends whatever is left.

`send_owed()` writes the row, claims it and tries it once at once: Slack answering 429 puts
every pending message of that workspace and method off until Retry-After (and this process
waits that long before trying the method there again); a failure that may pass (a 5xx, a
timeout) is tried again later with a growing pause; a refusal that cannot pass (the channel is
gone, the person can't be reached) is handed back to the caller, which knows what to do instead.
`deliver_owed()` (the scheduler, every few seconds) claims what is due under a lease and does
the same, and gives up after MAX_ATTEMPTS; what it gives up on is shown to its author on their
App Home. A posted message carries its row's id in its metadata: a send whose answer never came
is looked for (after Slack's delivery grace) before it is sent again, so nothing goes twice."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.metrics import RATE_LIMIT_WAITS
from handlers.outbox_places import record
from handlers.outbox_places import thread_of as thread_of_message
from handlers.services import Services
from storage.claims import Lease, database_now
from storage.outbox import (
    EPHEMERAL,
    FAILED,
    MESSAGE,
    PENDING,
    REFUSED,
    SENT,
    UPLOAD,
    OutboxMessage,
    owe,
    put_off,
)

logger = logging.getLogger("partnerbot.outbox")

OUTBOX_EVENT = "partnerbot_outbox"  # the metadata's event_type on every message it posts
METHODS = {MESSAGE: "chat.postMessage", EPHEMERAL: "chat.postEphemeral", UPLOAD: "files.upload"}
MAX_ATTEMPTS = 6  # transient failures before it is given up (about an hour of pauses)
FIRST_PAUSE = timedelta(seconds=10)  # doubled after each transient failure
DELIVERY_GRACE = timedelta(minutes=2)  # Slack may show an accepted message this much later
WAIT_FOR_THREAD = timedelta(seconds=5)  # a reply whose thread is not posted yet waits this long
THREAD_PATIENCE = timedelta(hours=1)  # and gives up after this
# refusals that sending again cannot change: the caller (or the author) has to know
PERMANENT = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "user_not_found",
    "user_not_visible",
    "account_inactive",
    "user_disabled",
    "cannot_dm_bot",
    "not_allowed_token_type",
    "invalid_blocks",
    "invalid_blocks_format",
    "msg_too_long",
    "no_text",
    "restricted_action",
    "thread_not_found",
    "invalid_auth",
    "token_revoked",
    "missing_scope",
    "ekm_access_denied",
}


@dataclass(frozen=True)
class Delivery:
    """What became of a message owed: sent (with where), refused (why), or still owed."""

    row_id: int
    ts: str | None = None
    channel: str | None = None
    error: str | None = None

    @property
    def sent(self) -> bool:
        return self.ts is not None

    @property
    def owed(self) -> bool:
        return self.ts is None and self.error is None


# -- owing and sending ------------------------------------------------------------------------


def send_owed(
    services: Services,
    client: WebClient,
    *,
    team_id: str,
    channel: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    about: str,
    author_id: str | None = None,
    kind: str = MESSAGE,
    thread_ts: str | None = None,
    thread_of: str | None = None,
    user: str | None = None,
    record: str | None = None,
    upload: dict[str, Any] | None = None,
    content: bytes | None = None,
) -> Delivery:
    """Owe a message and send it now if Slack lets us; else it waits in the outbox for the
    scheduler. `channel` may be a person (a DM). `thread_of` ("commitment:12") puts it in that
    message's thread once that is posted; `record` ("commitment:12") keeps where it was posted."""
    message: dict[str, Any] = {"text": text, "blocks": blocks}
    if thread_ts:
        message["thread_ts"] = thread_ts
    if user:
        message["user"] = user
    message.update(upload or {})
    lease: Lease[OutboxMessage] = Lease(services.sessions, OutboxMessage, now=services.clock())
    waiting = services.backoff.remaining(team_id, METHODS[kind])
    with services.sessions() as session:
        now = database_now(session)
        thread = thread_of_message(session, thread_of) if thread_of else None
        sendable = not waiting and (thread_of is None or thread is not None)
        # written already claimed by this process when it is about to send it: one row, one
        # commit before Slack is asked, one after
        row = owe(
            session,
            team_id=team_id,
            kind=kind,
            channel=channel,
            message=message,
            now=now,
            about=about,
            author_id=author_id,
            record=record,
            thread_of=thread_of,
            content=content,
            claim=lease.token if sendable else None,
            # Slack asked this process to leave the method alone there for a while
            due_at=now + timedelta(seconds=waiting) if waiting else None,
        )
    if not sendable:
        return Delivery(row.id or 0)  # owed: the scheduler sends it when it may
    if thread is not None:
        row.channel, message["thread_ts"] = thread
    return _deliver(services, client, lease, row, message, now=now, at_once=True)


def dm_owed(
    services: Services,
    client: WebClient,
    *,
    team_id: str,
    user_id: str,
    text: str,
    blocks: list[dict[str, Any]] | None = None,
    about: str,
    author_id: str | None = None,
) -> Delivery:
    """A DM owed to someone: sent now, or by the outbox once Slack lets us."""
    return send_owed(
        services,
        client,
        team_id=team_id,
        channel=user_id,
        text=text,
        blocks=blocks,
        about=about,
        author_id=author_id,
    )


def attempt(
    services: Services,
    client: WebClient,
    lease: Lease[OutboxMessage],
    row: OutboxMessage,
    *,
    at_once: bool = False,
) -> Delivery:
    """Try one claimed row once (the scheduler's job); what became of it."""
    now = lease.database_now()
    waiting = services.backoff.remaining(row.team_id, METHODS[row.kind])
    if waiting:  # Slack asked this process to leave the method alone there for a while
        lease.finish(row, status=PENDING, claim=None, due_at=now + timedelta(seconds=waiting))
        return Delivery(row.id or 0)
    message = row.message()
    if row.thread_of:
        with services.sessions() as session:
            thread = thread_of_message(session, row.thread_of)
        if thread is None:
            if now - row.created_at > THREAD_PATIENCE:
                return give_up(lease, row, "its thread was never posted", at_once=False)
            lease.finish(row, status=PENDING, claim=None, due_at=now + WAIT_FOR_THREAD)
            return Delivery(row.id or 0)
        row.channel, message["thread_ts"] = thread
    if row.sending_at is not None and row.kind == MESSAGE:  # a send whose answer never came
        if now - row.sending_at < DELIVERY_GRACE:
            lease.finish(row, status=PENDING, claim=None, due_at=row.sending_at + DELIVERY_GRACE)
            return Delivery(row.id or 0)
        found = _posted_already(client, row, message.get("thread_ts"))
        if found is not None:
            return _sent(services, lease, row, *found, now=now)
    if not lease.finish(row, sending_at=now):
        return Delivery(row.id or 0)  # another process has it now
    return _deliver(services, client, lease, row, message, now=now, at_once=at_once)


def _deliver(
    services: Services,
    client: WebClient,
    lease: Lease[OutboxMessage],
    row: OutboxMessage,
    message: dict[str, Any],
    *,
    now: datetime,
    at_once: bool,
) -> Delivery:
    """Send a row this run holds, marked as being sent; what became of it."""
    try:
        channel, ts = _send(client, row, message)
    except SlackApiError as error:
        return _refused(services, lease, row, error, now=now, at_once=at_once)
    except Exception as error:  # a timeout, a dropped connection: Slack may have it or not
        logger.warning("a message could not be sent; it will be tried again", exc_info=True)
        return _try_later(lease, row, type(error).__name__, now=now)
    return _sent(services, lease, row, channel, ts, now=now)


def _send(client: WebClient, row: OutboxMessage, message: dict[str, Any]) -> tuple[str, str]:
    """Hand the message to Slack: (channel, ts) of what it posted."""
    if row.kind == MESSAGE:
        posted = client.chat_postMessage(
            channel=row.channel,
            text=message.get("text") or " ",
            blocks=message.get("blocks"),
            thread_ts=message.get("thread_ts"),
            metadata={"event_type": OUTBOX_EVENT, "event_payload": {"outbox": row.id}},
        )
        return str(posted["channel"]), str(posted["ts"])
    if row.kind == EPHEMERAL:
        posted = client.chat_postEphemeral(
            channel=row.channel,
            user=message["user"],
            text=message.get("text") or " ",
            blocks=message.get("blocks"),
            thread_ts=message.get("thread_ts"),
        )
        return row.channel, str(posted.get("message_ts") or "")
    channel = row.channel
    if channel.startswith(("U", "W")):  # a file for a person: their DM's channel
        channel = client.conversations_open(users=channel)["channel"]["id"]
    uploaded: Any = client.files_upload_v2(
        channel=channel,
        thread_ts=message.get("thread_ts"),
        content=row.content or b"",
        filename=message.get("filename"),
        title=message.get("title"),
        initial_comment=message.get("text") or None,
        alt_txt=message.get("alt_txt"),
    )
    files = uploaded.get("files") or [{}]
    return channel, str(files[0].get("id") or "")


def _sent(
    services: Services,
    lease: Lease[OutboxMessage],
    row: OutboxMessage,
    channel: str,
    ts: str,
    *,
    now: datetime,
) -> Delivery:
    lease.finish(
        row,
        status=SENT,
        claim=None,
        content=None,  # a file, once delivered, is Slack's to keep, not ours
        sent_at=now,
        sent_channel=channel[:32],
        sent_ts=ts[:32],
        error=None,
    )
    if row.record:
        with services.sessions() as session:
            record(session, row.record, ts)
    return Delivery(row.id or 0, ts=ts, channel=channel)


def _refused(
    services: Services,
    lease: Lease[OutboxMessage],
    row: OutboxMessage,
    error: SlackApiError,
    *,
    now: datetime,
    at_once: bool,
) -> Delivery:
    code = str(error.response.get("error") or "")
    status = getattr(error.response, "status_code", 200)
    if status == 429 or code == "ratelimited":
        retry_after = int((error.response.headers or {}).get("Retry-After") or 30)
        until = now + timedelta(seconds=retry_after)
        method = METHODS[row.kind]
        RATE_LIMIT_WAITS.labels(method).inc()
        services.backoff.wait(row.team_id, method, retry_after)
        with services.sessions() as session:  # the workspace's others wait as long
            put_off(session, team_id=row.team_id, kind=row.kind, until=until)
        logger.info(
            "rate-limited: waiting as Slack asks",
            extra={"team_id": row.team_id, "method": method, "retry_after": retry_after},
        )
        # refused, so not posted: no need to look for it later
        lease.finish(row, status=PENDING, claim=None, due_at=until, sending_at=None)
        return Delivery(row.id or 0)
    if code in PERMANENT:
        return give_up(lease, row, code, at_once=at_once)
    if status == 200:  # Slack answered, and said no: nothing was posted to look for later
        lease.finish(row, sending_at=None)
    return _try_later(lease, row, code or f"HTTP {status}", now=now)


def _try_later(
    lease: Lease[OutboxMessage], row: OutboxMessage, why: str, *, now: datetime
) -> Delivery:
    attempts = row.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        return give_up(lease, row, why, at_once=False)
    pause = FIRST_PAUSE * (2 ** (attempts - 1))
    lease.finish(
        row, status=PENDING, claim=None, attempts=attempts, due_at=now + pause, error=why[:200]
    )
    return Delivery(row.id or 0)


def give_up(
    lease: Lease[OutboxMessage], row: OutboxMessage, why: str, *, at_once: bool
) -> Delivery:
    """Refused at once: the caller is told and acts; given up later: its author sees it."""
    lease.finish(row, status=REFUSED if at_once else FAILED, claim=None, error=why[:200])
    if not at_once:
        logger.warning(
            "a message could not be delivered",
            extra={"team_id": row.team_id, "about": row.about, "error": why},
        )
    return Delivery(row.id or 0, error=why)


def _posted_already(
    client: WebClient, row: OutboxMessage, thread_ts: str | None
) -> tuple[str, str] | None:
    """(channel, ts) if Slack has this message already (found by its metadata)."""
    assert row.sending_at is not None
    oldest = f"{(row.sending_at - timedelta(minutes=10)).timestamp():.6f}"
    try:
        channel = row.channel
        if channel.startswith(("U", "W")):  # a DM: its channel
            channel = client.conversations_open(users=channel)["channel"]["id"]
        if thread_ts:
            found = client.conversations_replies(
                channel=channel, ts=thread_ts, oldest=oldest, include_all_metadata=True, limit=100
            )
        else:
            found = client.conversations_history(
                channel=channel, oldest=oldest, include_all_metadata=True, limit=100
            )
    except SlackApiError:
        return None  # can't tell: sending again risks less than losing it
    for message in found.get("messages") or []:
        meta = message.get("metadata") or {}
        if (
            meta.get("event_type") == OUTBOX_EVENT
            and (meta.get("event_payload") or {}).get("outbox") == row.id
        ):
            return channel, str(message["ts"])
    return None
