"""The partnership register's minimal form, straight through the domain."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

from knowledge.audit import history
from knowledge.partnerships import (
    PartnershipError,
    add_partnership,
    channel_partnership,
    clean_name,
    find_partnership,
    list_partnerships,
    name_key,
)
from storage.models import AuditEntry, Partnership
from tests.conftest import NOW


def add(session, name, *, team="T1", channel="C1", actor="U1"):
    return add_partnership(
        session, team_id=team, name=name, channel_id=channel, actor_id=actor, now=NOW
    )


def test_adding_a_partnership_keeps_its_name_channel_and_author(session):
    added = add(session, "  Retrofit   Partnership ")
    assert (added.name, added.channel_id, added.created_by, added.created_at) == (
        "Retrofit Partnership",
        "C1",
        "U1",
        NOW,
    )
    assert [p.name for p in list_partnerships(session, team_id="T1")] == ["Retrofit Partnership"]


def test_every_addition_is_audited(session):
    added = add(session, "Parks Partnership", actor="U9")
    [entry] = history(session, team_id="T1", entity="partnership", entity_id=added.id)
    assert (entry.action, entry.actor_id, entry.at) == ("create", "U9", NOW)
    assert json.loads(entry.detail) == {"name": "Parks Partnership", "channel_id": "C1"}


@pytest.mark.parametrize(
    "again", ["retrofit partnership", "RETROFIT  PARTNERSHIP", "“Retrofit Partnership”"]
)
def test_the_same_name_in_any_case_is_refused(session, again):
    add(session, "Retrofit Partnership")
    with pytest.raises(
        PartnershipError, match="already a partnership called “Retrofit Partnership”"
    ):
        add(session, again)
    assert len(list_partnerships(session, team_id="T1")) == 1
    assert len(session.exec(select(AuditEntry)).all()) == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "needs a name"),
        ("   ", "needs a name"),
        ('""', "needs a name"),
        ("x" * 81, "keep it to 80"),
        ("<@U123|sam> board", "can't contain mentions"),
        ("Board <https://evil.example>", "can't contain mentions"),
        ("Board\x07", "can't contain mentions"),
    ],
)
def test_bad_names_are_refused_and_nothing_is_written(session, name, message):
    with pytest.raises(PartnershipError, match=message):
        add(session, name)
    assert session.exec(select(Partnership)).all() == []
    assert session.exec(select(AuditEntry)).all() == []


def test_workspaces_never_see_each_others_partnerships(session):
    add(session, "Housing JV", team="T1")
    add(session, "Housing JV", team="T2")  # the same name is fine in another workspace
    assert [p.team_id for p in list_partnerships(session, team_id="T2")] == ["T2"]
    assert find_partnership(session, team_id="T3", name="Housing JV") is None


def test_a_channel_with_one_partnership_makes_it_the_default(session):
    add(session, "Retrofit Partnership", channel="C1")
    assert (
        channel_partnership(session, team_id="T1", channel_id="C1").name == "Retrofit Partnership"
    )
    assert channel_partnership(session, team_id="T1", channel_id="C2") is None
    assert channel_partnership(session, team_id="T2", channel_id="C1") is None


def test_a_channel_with_two_partnerships_has_no_default(session):
    add(session, "Retrofit Partnership", channel="C1")
    add(session, "Parks Partnership", channel="C1")
    assert channel_partnership(session, team_id="T1", channel_id="C1") is None


@given(st.text(max_size=100))
def test_name_keys_are_stable(raw):
    assert name_key(clean_name(raw)) == name_key(raw)
    assert name_key(raw.upper()) == name_key(raw.lower()) or not raw.isascii()
