"""The partnership register: adding, editing, closing and finding partnerships by name."""

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from knowledge.audit import record_change
from knowledge.names import clean_name, meant, name_key
from knowledge.nudges import follow_lead
from knowledge.register_facts import FactError, Facts, check_facts
from knowledge.reviews import replan_reviews
from storage.models import PARTNERSHIP_NAME_MAX, Commitment, Partnership

# Slack markup (<@U…>, <#C…>, <https://…>) in a name would render as a mention or a link.
_MARKUP = re.compile(r"[<>]")


class PartnershipError(ValueError):
    """A request the register cannot carry out; the message is written for the officer, and
    `field` names the form field it is about (None: the whole request)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def validate_name(raw: str) -> str:
    """The cleaned name, or a PartnershipError saying what is wrong with it."""
    name = clean_name(raw)
    if not name:
        raise PartnershipError("A partnership needs a name.", "name")
    if len(name) > PARTNERSHIP_NAME_MAX:
        raise PartnershipError(
            f"That name is {len(name)} characters; keep it to {PARTNERSHIP_NAME_MAX} or fewer.",
            "name",
        )
    if _MARKUP.search(name) or any(unicodedata.category(c) == "Cc" for c in name):
        raise PartnershipError("A partnership name can't contain mentions, links or < >.", "name")
    return name


def check_new_name(session: Session, *, team_id: str, raw: str, renaming: int | None = None) -> str:
    """The cleaned name of a partnership about to be added (or renamed: `renaming` is its id),
    or a PartnershipError (a bad name, or one the workspace has already, in any case)."""
    clean = validate_name(raw)
    existing = find_partnership(session, team_id=team_id, name=clean)
    if existing is not None and existing.id != renaming:
        raise PartnershipError(f"There is already a partnership called “{existing.name}”.", "name")
    return clean


def add_partnership(
    session: Session,
    *,
    team_id: str,
    name: str,
    channel_id: str | None,
    actor_id: str,
    now: datetime,
    facts: Facts | None = None,
    lead_tz: str = "Europe/London",
    region: str = "ENG",
    commit: bool = True,
) -> Partnership:
    """Register a partnership in a workspace (by name, or with all its facts), audited;
    refuses a duplicate name (any case) and facts that break the register's rules. With
    `commit` False it is left in the caller's transaction (an import's)."""
    clean = check_new_name(session, team_id=team_id, raw=name)
    facts = _checked(facts or Facts(partners=[], channel_id=channel_id))
    partnership = Partnership(
        team_id=team_id,
        name=clean,
        name_key=name_key(clean),
        created_by=actor_id,
        created_at=now,
        updated_at=now,
        **facts.stored(),
    )
    session.add(partnership)
    try:
        session.flush()
        replan_reviews(session, partnership, tz=lead_tz, now=now, region=region)
        record_change(
            session,
            team_id=team_id,
            actor_id=actor_id,
            action="create",
            entity="partnership",
            entity_id=partnership.id or 0,
            at=now,
            detail={"name": clean, **_audited(_given(facts.stored()))},
        )
        if commit:
            session.commit()
        else:
            session.flush()
    except IntegrityError as error:
        # Two officers adding the same name at once: the unique key decides, kindly.
        session.rollback()
        raise PartnershipError(
            f"There is already a partnership called “{clean}”.", "name"
        ) from error
    return partnership


def edit_partnership(
    session: Session,
    partnership: Partnership,
    *,
    name: str,
    facts: Facts,
    actor_id: str,
    now: datetime,
    lead_tz: str = "Europe/London",
    region: str = "ENG",
) -> list[str]:
    """Change a partnership's name and facts; the names of the fields changed (audited with
    their old and new values). Review reminders follow a new lead or review date."""
    clean = check_new_name(session, team_id=partnership.team_id, raw=name, renaming=partnership.id)
    new = {"name": clean, "name_key": name_key(clean), **_checked(facts).stored()}
    changed = {k: v for k, v in new.items() if getattr(partnership, k) != v and k != "name_key"}
    if not changed:
        return []
    before = {k: getattr(partnership, k) for k in changed}
    for key, value in new.items():
        setattr(partnership, key, value)
    partnership.updated_at = now
    session.add(partnership)
    try:
        session.flush()
        if {"lead_id", "next_review"} & changed.keys():
            replan_reviews(session, partnership, tz=lead_tz, now=now, region=region)
        if "lead_id" in changed:  # escalations of its overdue commitments follow the lead
            for commitment in session.exec(
                select(Commitment)
                .where(Commitment.partnership_id == partnership.id)
                .where(Commitment.status == "open")
            ):
                follow_lead(session, commitment, partnership.lead_id)
        record_change(
            session,
            team_id=partnership.team_id,
            actor_id=actor_id,
            action="edit",
            entity="partnership",
            entity_id=partnership.id or 0,
            at=now,
            detail={"from": _audited(before), "to": _audited(changed)},
        )
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise PartnershipError(
            f"There is already a partnership called “{clean}”.", "name"
        ) from error
    return list(changed)


def close_partnership(
    session: Session,
    partnership: Partnership,
    *,
    end_date: date,
    note: str,
    actor_id: str,
    now: datetime,
    commit: bool = True,
) -> None:
    """End a partnership: it leaves the lists and reminders, and keeps its history. Audited."""
    note = note.strip()
    if partnership.status != "open":
        raise PartnershipError(f"{partnership.name} was closed already.")
    if partnership.start_date and end_date < partnership.start_date:
        raise PartnershipError(
            f"The end date can't be before the start ({partnership.start_date:%d %b %Y}).",
            "end_date",
        )
    if len(note) > 3000:
        raise PartnershipError("Keep the exit note to 3000 characters.", "note")
    partnership.status, partnership.end_date = "closed", end_date
    partnership.exit_note, partnership.closed_at, partnership.closed_by = (
        note or None,
        now,
        actor_id,
    )
    partnership.updated_at = now
    session.add(partnership)
    replan_reviews(session, partnership, tz="UTC", now=now)  # closed: no reminders are planned
    record_change(
        session,
        team_id=partnership.team_id,
        actor_id=actor_id,
        action="edit",
        entity="partnership",
        entity_id=partnership.id or 0,
        at=now,
        detail={"status": "closed", "end_date": end_date.isoformat(), "note": note or None},
    )
    if commit:
        session.commit()
    else:
        session.flush()


def _checked(facts: Facts) -> Facts:
    try:
        return check_facts(facts)
    except FactError as error:
        raise PartnershipError(str(error), error.field) from None


def _given(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v not in (None, False)}


def _audited(values: dict[str, Any]) -> dict[str, Any]:
    """Values as JSON keeps them (dates as ISO, money as text)."""
    return {
        k: v.isoformat() if isinstance(v, date) else str(v) if isinstance(v, Decimal) else v
        for k, v in values.items()
    }


def list_partnerships(session: Session, *, team_id: str, closed: bool = False) -> list[Partnership]:
    """The open partnerships of one workspace (with `closed`, every one), by name."""
    statement = select(Partnership).where(Partnership.team_id == team_id)
    if not closed:
        statement = statement.where(Partnership.status == "open")
    return list(session.exec(statement.order_by(col(Partnership.name_key))))


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
        .where(Partnership.status == "open")
        .limit(2)
    )
    found = list(session.exec(statement))
    return found[0] if len(found) == 1 else None


def choosable(
    session: Session, *, team_id: str, channel_id: str | None, everything: bool
) -> list[Partnership]:
    """The partnerships a form offers: all open ones (`everything`), or, for someone from
    outside the council, only the channel's own."""
    if everything:
        return list_partnerships(session, team_id=team_id)
    here = channel_partnership(session, team_id=team_id, channel_id=channel_id or "")
    return [here] if here else []


def resolve_partnership(
    session: Session, *, team_id: str, name: str
) -> tuple[Partnership | None, str | None]:
    """The partnership a typed name means (any case, typos forgiven when only one is close),
    including closed ones; else (None, the name it might have been, if any)."""
    exact = find_partnership(session, team_id=team_id, name=name)
    if exact is not None:
        return exact, None
    every = {p.name: p for p in list_partnerships(session, team_id=team_id, closed=True)}
    sure, maybe = meant(name, list(every))
    return (every[sure], None) if sure else (None, maybe)
