"""The entry a button names, as the person pressing it may see it: shared by the search answers
and by editing and deleting lessons and notes."""

import json
from typing import Any

from sqlmodel import Session

from knowledge.entries import LIBRARY, find_visible
from storage.models import Entry

GONE = "That entry isn't available here any more (it may have been deleted). Try `/partners ask` again."


def channel_of(body: dict[str, Any]) -> str | None:
    """The channel a button was pressed in (a message's, or an ephemeral message's; in a modal
    we opened from a channel, that channel, as we wrote it in the view's private_metadata)."""
    found = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    if found or not isinstance(body.get("view"), dict):
        return found
    try:
        channel = json.loads(body["view"].get("private_metadata") or "{}").get("channel")
    except (ValueError, AttributeError):
        return None
    return channel if isinstance(channel, str) else None


def entry_named(
    session: Session,
    *,
    team_id: str,
    channel_id: str | None,
    value: str,
    outsider: bool = False,
) -> Entry | None:
    """The entry a button names, if it is this workspace's and may be seen from here: a
    payload naming another workspace's entry, or a private one elsewhere, finds nothing; nor,
    for someone from outside the council (`outsider`), one saved in another channel."""
    try:
        entry_id = int(value.rpartition(":")[2])
    except ValueError:
        return None
    entry = find_visible(session, team_id=team_id, entry_id=entry_id, channel_id=channel_id)
    if entry is not None and outsider and entry.kind != LIBRARY and entry.channel_id != channel_id:
        return None
    return entry
