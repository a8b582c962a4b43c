"""People's data rights: what the bot holds about a person (a subject-access request) and
forgetting them (an erasure request). Content stays, as the council's record; the person's
identity goes: authorship becomes a former member, their open commitments go back to whoever
recorded them, named breakout answers lose the name, votes stay only as counts, and no row or
audit entry keeps their user ID, in an ID column or in text that mentions them.

Every table with a `team_id` is read, so a table added later is covered without a change here,
as long as its person columns use the names in PERSON (a test checks every table against it)."""

import json
import re
import secrets
from collections import Counter
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import String, Table, TypeDecorator, delete, false, or_, update
from sqlalchemy import select as sql_select
from sqlmodel import Session, SQLModel, col

from knowledge.audit import record_change
from storage.models import (
    Away,
    BreakoutAnswer,
    Commitment,
    CommitmentOwner,
    KnownName,
    Nudge,
    Vote,
)
from storage.network import forget_in_networks

# columns that hold one person's Slack user ID
PERSON = frozenset(
    {
        "actor_id",
        "answered_by",
        "asked_by",
        "author_id",
        "changed_by",
        "closed_by",
        "created_by",
        "facilitator_id",
        "joined_by",
        "lead_id",
        "made_by",
        "opened_by",
        "owner_id",
        "recipient_id",
        "recorded_by",
        "shared_by",
        "updated_by",
        "user_id",
    }
)
LISTS = frozenset({"invited"})  # space-separated user IDs
NOT_PEOPLE = frozenset({"processed_event", "search_snapshot", "health_check"})
FORMER = "UFORMER"  # what a forgotten person's ID becomes; shown as "a former member"
NEEDS_OWNER = "Needs a new owner: whoever owned and recorded it has left."
SECRET = "[withheld: a credential, not personal data]"  # an installer's row holds the bot's tokens
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")


class DataRightsError(ValueError):
    """A request that cannot be carried out (not a user ID, say)."""


def check_user_id(user_id: str) -> str:
    """A Slack user ID (U… or W…), or a DataRightsError saying what one looks like."""
    if not USER_ID.match(user_id or "") or user_id.startswith(FORMER):
        raise DataRightsError(f"{user_id!r} is not a Slack user ID: they look like U0123ABCD.")
    return user_id


def _tables() -> list[Table]:
    return [
        t for t in SQLModel.metadata.sorted_tables if "team_id" in t.c and t.name not in NOT_PEOPLE
    ]


def _is_text(column: Any) -> bool:
    # SQLModel's AutoString is a TypeDecorator over a String, not a String itself
    kind = column.type.impl if isinstance(column.type, TypeDecorator) else column.type
    return isinstance(kind, String)


def _texts(table: Table) -> list[Any]:
    return [
        c
        for c in table.c
        if _is_text(c)
        and c.name not in PERSON
        and c.name not in {"team_id", "channel_id", "sent_to"}
    ]


def _about(table: Table, user_id: str) -> Any:
    people = [table.c[name] == user_id for name in PERSON if name in table.c]
    texts = [c.contains(user_id, autoescape=True) for c in _texts(table)]
    return or_(false(), *people, *texts)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def held_about(session: Session, *, team_id: str, user_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of this workspace that names the person, in an ID column or in text (a mention,
    an invitation list, an audit entry), table by table."""
    check_user_id(user_id)
    found: dict[str, list[dict[str, Any]]] = {}
    for table in _tables():
        rows = session.execute(
            sql_select(table).where(table.c.team_id == team_id).where(_about(table, user_id))
        ).mappings()
        listed = [
            {
                key: SECRET if "token" in key and value else _plain(value)
                for key, value in row.items()
            }
            for row in rows
        ]
        if listed:
            found[table.name] = listed
    shared = SQLModel.metadata.tables["shared_entry"]  # what the workspace shared, naming them
    rows = session.execute(
        sql_select(shared).where(shared.c.from_team == team_id).where(_about(shared, user_id))
    ).mappings()
    if listed := [{key: _plain(value) for key, value in row.items()} for row in rows]:
        found["shared_entry"] = listed
    return found


def _mentions(user_id: str) -> re.Pattern[str]:
    return re.compile(rf"<@{re.escape(user_id)}(\|[^<>]*)?>")


def forget(session: Session, *, team_id: str, user_id: str, now: datetime) -> Counter[str]:
    """Remove the person's identity from everything this workspace holds; commits once, so it
    is all done or none. How many rows changed, per table."""
    check_user_id(user_id)
    changed: Counter[str] = Counter()
    pseudonym = f"{FORMER}{secrets.token_hex(3).upper()}"  # where rows must stay distinct

    def count(table: str, result: Any) -> None:
        changed[table] += int(getattr(result, "rowcount", 0) or 0)

    # their open commitments go back to whoever recorded them
    owned = session.scalars(
        sql_select(CommitmentOwner)
        .where(col(CommitmentOwner.team_id) == team_id)
        .where(col(CommitmentOwner.user_id) == user_id)
    ).all()
    for owner in owned:
        commitment = session.get(Commitment, owner.commitment_id)
        others = session.scalars(
            sql_select(col(CommitmentOwner.user_id))
            .where(col(CommitmentOwner.commitment_id) == owner.commitment_id)
            .where(col(CommitmentOwner.user_id) != user_id)
        ).all()
        creator = commitment.created_by if commitment else None
        still_open = commitment is not None and commitment.status == "open"
        if still_open and creator and creator not in (user_id, *others):
            owner.user_id = creator
            session.add(owner)
        elif others:
            session.delete(owner)
        else:
            owner.user_id = pseudonym
            session.add(owner)
            if commitment is not None and still_open:
                commitment.progress_note = NEEDS_OWNER
                session.add(commitment)
        changed["commitment_owner"] += 1
    session.flush()
    # what is theirs alone goes; votes stay as the entry's counts; named answers lose the name
    gone = (
        ("nudge", delete(Nudge).where(col(Nudge.recipient_id) == user_id), Nudge.team_id),
        ("away", delete(Away).where(col(Away.user_id) == user_id), Away.team_id),
        ("vote", delete(Vote).where(col(Vote.user_id) == user_id), Vote.team_id),
        (
            "known_name",
            delete(KnownName).where(col(KnownName.slack_id) == user_id),
            KnownName.team_id,
        ),
    )
    for name, statement, team in gone:
        count(name, session.execute(statement.where(col(team) == team_id)))
    count(
        "breakout_answer",
        session.execute(
            update(BreakoutAnswer)
            .where(col(BreakoutAnswer.team_id) == team_id)
            .where(col(BreakoutAnswer.author_id) == user_id)
            .values(author_id=None)
        ),
    )
    for table in _tables():
        _scrub(session, table, team_id, user_id, pseudonym, changed, now)
    # what the workspace shared with other councils: the name goes there too, at once
    changed["shared_entry"] += forget_in_networks(
        session, team_id=team_id, user_id=user_id, former=FORMER
    )
    shared = SQLModel.metadata.tables["shared_entry"]
    _scrub(session, shared, team_id, user_id, pseudonym, changed, now, team_column="from_team")
    record_change(
        session,
        team_id=team_id,
        actor_id="partnerbot",
        action="delete",
        entity="person",
        entity_id="erased",
        at=now,
        detail={"rows": sum(changed.values())},  # never who
    )
    session.commit()
    return changed


def _scrub(
    session: Session,
    table: Table,
    team_id: str,
    user_id: str,
    pseudonym: str,
    changed: Counter[str],
    now: datetime,
    team_column: str = "team_id",
) -> None:
    """Replace the person's ID in one table's person, list and text columns (of the workspace's
    rows: `team_column` names it, `from_team` for what it shared with other councils)."""
    unique = {c.name for u in table.constraints if hasattr(u, "columns") for c in u.columns}
    mention = _mentions(user_id)
    rows = session.execute(
        sql_select(table).where(table.c[team_column] == team_id).where(_about(table, user_id))
    ).mappings()
    for row in list(rows):
        values: dict[str, Any] = {}
        for name in PERSON & set(table.c.keys()):
            if row[name] == user_id:
                nullable = table.c[name].nullable and name == "lead_id"
                values[name] = None if nullable else pseudonym if name in unique else FORMER
        for column in _texts(table):
            text = row[column.name]
            if isinstance(text, str) and user_id in text:
                if column.name in LISTS:
                    text = " ".join(u for u in text.split() if u != user_id)
                else:
                    text = mention.sub("a former member", text).replace(user_id, FORMER)
                    if column.name == "detail":
                        json.loads(text)  # still the JSON it was
                values[column.name] = text
        if values and {"version", "changed_at"} <= set(table.c.keys()):
            # a changed entry: running search indexes pick up its new text (knowledge/search.py)
            values.update(version=row["version"] + 1, changed_at=now)
        if values:
            key = [table.c[c.name] == row[c.name] for c in table.primary_key.columns]
            session.execute(update(table).where(*key).values(**values))
            changed[table.name] += 1
