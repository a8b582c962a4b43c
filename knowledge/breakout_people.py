"""Counting the people who answered a breakout question, never the answers: one person's three
anonymous answers count once, and so does someone who answered both by name and anonymously.
An anonymous answer carries a keyed hash of its giver while its question is open (the
deployment's own key and the round's salt: a database alone links it to nobody); the hashes
are wiped when the question closes, once the people have been counted."""

from sqlmodel import Session, col, select

from storage.keyring import ANSWERS, Keyring
from storage.models import BreakoutAnswer, BreakoutRound


def person_keys(keyring: Keyring, round_: BreakoutRound, person_id: str) -> tuple[str, ...]:
    """A person's keyed hashes in a round, one per key (newest first): without the deployment's
    key and the round's salt nothing links one to anyone."""
    return keyring.digests(ANSWERS, f"breakout:{round_.id}:{round_.salt}:{person_id}".encode())


def person_key(session: Session, round_: BreakoutRound, keyring: Keyring, person_id: str) -> str:
    """The key this person's anonymous answers in the round carry: the one already stored if
    they answered before (under an older key, say), else the newest."""
    keys = person_keys(keyring, round_, person_id)
    stored = session.exec(
        select(BreakoutAnswer.person_key)
        .where(BreakoutAnswer.round_id == round_.id)
        .where(col(BreakoutAnswer.person_key).in_(keys))
        .limit(1)
    ).first()
    return stored or keys[0]


def count_people(given: list[BreakoutAnswer], round_: BreakoutRound, keyring: Keyring) -> int:
    """How many different people gave these answers: each named author once, and each
    anonymous answerer once however many answers they gave, and not again if they also
    answered by name (their name's key matches their anonymous answers'). Answers kept
    before people were counted (no key) count one each."""
    named = {a.author_id for a in given if a.author_id}
    named_keys = {k for author in named for k in person_keys(keyring, round_, author)}
    unnamed = {a.person_key for a in given if a.anonymous and a.person_key}
    legacy = sum(1 for a in given if a.anonymous and not a.person_key)
    return len(named) + len(unnamed - named_keys) + legacy
