"""How a reminder reaches a person: a DM, or a mention in the commitment's thread when the bot
cannot DM them (a Slack Connect partner, someone who has left). Every reminder carries its id in
the message's metadata, so a run that died mid-send can ask Slack whether it arrived."""

import logging
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.sending import dm
from handlers.services import Services
from knowledge.commitments import mark_unreachable
from storage.claims import Lease
from storage.models import Commitment, CommitmentOwner, Nudge

logger = logging.getLogger("partnerbot.nudges")

NUDGE_EVENT = "partnerbot_nudge"  # the message metadata's event_type on every reminder
LOOK_BACK = timedelta(minutes=10)  # how far before a send began to look for its message
# Slack may show a message it accepted this long after (a send whose answer never came): a
# reminder whose send began more recently is looked for later, not sent again now
DELIVERY_GRACE = timedelta(minutes=2)

# Slack's answers meaning "this person cannot get a DM from us" (Slack Connect partners, people
# who left): a mention in the thread reaches them instead.
UNREACHABLE = {
    "user_not_found",
    "account_inactive",
    "user_not_visible",
    "cannot_dm_bot",
    "not_allowed_token_type",
    "user_disabled",
    "channel_not_found",
    "is_archived",
}
GONE_FROM_SLACK = {"user_not_found", "account_inactive", "user_disabled"}


def metadata(nudge_id: int) -> dict[str, Any]:
    return {"event_type": NUDGE_EVENT, "event_payload": {"nudge": nudge_id}}


def send(
    services: Services,
    client: WebClient,
    commitment: Commitment,
    owner: CommitmentOwner | None,
    recipient: str,
    text: str,
    blocks: list[dict[str, Any]],
    *,
    nudge_id: int,
) -> tuple[str | None, str | None, str]:
    """(channel, ts, how) of the reminder sent; channel None when it must wait for a later run."""
    if owner is None or owner.reachable:
        try:
            posted = dm(client, recipient, text, blocks, metadata=metadata(nudge_id))
            return posted["channel"], posted["ts"], "DM"
        except SlackApiError as error:
            code = error.response.get("error")
            if code not in UNREACHABLE:
                logger.warning(
                    "Slack refused a nudge; retrying next run",
                    extra={"commitment": commitment.id, "error": code},
                )
                return None, None, "refused" if refused(error) else ""
            _unreachable(services, client, commitment, recipient, code)
    if not (commitment.channel_id and commitment.thread_ts):
        return None, None, ""
    mentioned = client.chat_postMessage(
        channel=commitment.channel_id,
        thread_ts=commitment.thread_ts,
        text=f"<@{recipient}> {text}",
        metadata=metadata(nudge_id),
    )
    return mentioned["channel"], mentioned["ts"], "thread mention"


def _unreachable(
    services: Services, client: WebClient, commitment: Commitment, user_id: str, code: str | None
) -> None:
    with services.sessions() as session:
        mark_unreachable(session, commitment_id=commitment.id or 0, user_id=user_id)
    if code in GONE_FROM_SLACK and commitment.created_by != user_id:
        try:
            dm(
                client,
                commitment.created_by,
                f"I can't reach <@{user_id}> any more (Slack says "
                f"{code}), so “{commitment.action}” may need a new "
                "owner.",
            )
        except SlackApiError:
            logger.warning("could not tell the creator", extra={"commitment": commitment.id})


def too_soon_to_look(lease: Lease[Nudge], nudge: Nudge) -> bool:
    """Whether a send of this reminder began within DELIVERY_GRACE, by the database's clock
    (not this process's, which may run ahead): if so it is left for a later run to look for
    (this run keeps its claim until it ends, so does not take it again), rather than looked
    for now and, not found yet, sent twice."""
    return nudge.sending_at is not None and lease.database_now() - nudge.sending_at < DELIVERY_GRACE


def refused(error: SlackApiError) -> bool:
    """Slack answered, and said no: nothing was posted, so nothing need be looked for later
    (an HTTP error or no answer at all may have posted it)."""
    return getattr(error.response, "status_code", 200) == 200


def delivered(
    client: WebClient, nudge: Nudge, thread: tuple[str | None, str | None] = (None, None)
) -> tuple[str, str] | None:
    """(channel, ts) of this reminder if Slack has it already (its run died after sending,
    before it could say so), looked for in the DM and in `thread` (a commitment's channel and
    thread); None when it is not there or Slack can't tell us."""
    assert nudge.sending_at is not None
    oldest = f"{(nudge.sending_at - LOOK_BACK).timestamp():.6f}"
    places: list[tuple[str, str | None]] = []
    try:
        dm_channel = client.conversations_open(users=nudge.recipient_id)["channel"]["id"]
        places.append((dm_channel, None))
    except SlackApiError:
        pass  # not someone the bot can DM: it will have mentioned them in the thread
    if thread[0] and thread[1]:
        places.append((thread[0], thread[1]))
    for channel, thread_ts in places:
        try:
            if thread_ts is None:
                found = client.conversations_history(
                    channel=channel, oldest=oldest, include_all_metadata=True, limit=100
                )
            else:
                found = client.conversations_replies(
                    channel=channel,
                    ts=thread_ts,
                    oldest=oldest,
                    include_all_metadata=True,
                    limit=100,
                )
        except SlackApiError as error:
            logger.warning(
                "could not look for an earlier send; sending again",
                extra={"nudge": nudge.id, "error": error.response.get("error")},
            )
            return None
        for message in found.get("messages") or []:
            meta = message.get("metadata") or {}
            if (
                meta.get("event_type") == NUDGE_EVENT
                and (meta.get("event_payload") or {}).get("nudge") == nudge.id
            ):
                return channel, str(message["ts"])
    return None
