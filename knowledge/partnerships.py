"""The partnership register (its minimal form: names and the channel each lives in)."""

import re
import unicodedata
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from knowledge.audit import record_change
from storage.models import PARTNERSHIP_NAME_MAX, Partnership

_SPACES = re.compile(r"\s+")
# Slack markup (<@U…>, <#C…>, <https://…>) in a name would render as a mention or a link.
_MARKUP = re.compile(r"[<>]")


class PartnershipError(ValueError):
    """A request the register cannot carry out; the message is written for the officer."""


def clean_name(raw: str) -> str:
    """The name as it will be shown: outer quotes dropped, whitespace collapsed."""
    name = unicodedata.normalize("NFC", raw).strip().strip("\"'“”‘’").strip()
    return _SPACES.sub(" ", name)


def name_key(name: str) -> str:
    """What two names are compared by: case and spacing do not make a new partnership."""
    return clean_name(name).casefold()


def validate_name(raw: str) -> str:
    """The cleaned name, or a PartnershipError saying what is wrong with it."""
    name = clean_name(raw)
    if not name:
        raise PartnershipError("A partnership needs a name.")
    if len(name) > PARTNERSHIP_NAME_MAX:
        raise PartnershipError(
            f"That name is {len(name)} characters; keep it to {PARTNERSHIP_NAME_MAX} or fewer."
        )
    if _MARKUP.search(name) or any(unicodedata.category(c) == "Cc" for c in name):
        raise PartnershipError("A partnership name can't contain mentions, links or < >.")
    return name


def check_new_name(session: Session, *, team_id: str, raw: str) -> str:
    """The cleaned name of a partnership about to be added, or a PartnershipError (a bad name,
    or one the workspace has already, in any case)."""
    clean = validate_name(raw)
    existing = find_partnership(session, team_id=team_id, name=clean)
    if existing is not None:
        raise PartnershipError(f"There is already a partnership called “{existing.name}”.")
    return clean


def add_partnership(
    session: Session,
    *,
    team_id: str,
    name: str,
    channel_id: str | None,
    actor_id: str,
    now: datetime,
) -> Partnership:
    """Register a partnership in a workspace, audited; refuses a duplicate name (any case)."""
    clean = check_new_name(session, team_id=team_id, raw=name)
    partnership = Partnership(
        team_id=team_id,
        name=clean,
        name_key=name_key(clean),
        channel_id=channel_id,
        created_by=actor_id,
        created_at=now,
    )
    session.add(partnership)
    try:
        session.flush()
        record_change(
            session,
            team_id=team_id,
            actor_id=actor_id,
            action="create",
            entity="partnership",
            entity_id=partnership.id or 0,
            at=now,
            detail={"name": clean, "channel_id": channel_id},
        )
        session.commit()
    except IntegrityError as error:
        # Two officers adding the same name at once: the unique key decides, kindly.
        session.rollback()
        raise PartnershipError(f"There is already a partnership called “{clean}”.") from error
    return partnership


def list_partnerships(session: Session, *, team_id: str) -> list[Partnership]:
    """Every partnership of one workspace, by name."""
    statement = (
        select(Partnership)
        .where(Partnership.team_id == team_id)
        .order_by(col(Partnership.name_key))
    )
    return list(session.exec(statement))


def find_partnership(session: Session, *, team_id: str, name: str) -> Partnership | None:
    """The partnership of that name in that workspace, ignoring case and spacing."""
    statement = (
        select(Partnership)
        .where(Partnership.team_id == team_id)
        .where(Partnership.name_key == name_key(name))
    )
    return session.exec(statement).first()


def channel_partnership(session: Session, *, team_id: str, channel_id: str) -> Partnership | None:
    """The channel's default partnership: the one registered there, if exactly one is."""
    statement = (
        select(Partnership)
        .where(Partnership.team_id == team_id)
        .where(Partnership.channel_id == channel_id)
        .limit(2)
    )
    found = list(session.exec(statement))
    return found[0] if len(found) == 1 else None
