"""Lessons and briefing notes through the domain: drafts, checks, audit, permissions, votes."""

import json
from dataclasses import replace

import pytest
from sqlmodel import select

from knowledge.audit import history
from knowledge.entries import (
    BRIEF,
    LESSON,
    Draft,
    EntryError,
    delete_entry,
    draft_from_text,
    edit_entry,
    find_visible,
    may_change,
    save_entry,
    vote,
)
from knowledge.partnerships import add_partnership
from storage.models import Entry
from tests.conftest import NOW


def save(session, draft, *, author="U1", channel="C1", team="T1"):
    return save_entry(
        session, team_id=team, draft=draft, author_id=author, channel_id=channel, now=NOW
    )


def test_a_quick_lesson_takes_its_title_from_the_first_sentence_and_tags_from_hashes():
    draft = draft_from_text(
        LESSON,
        "Supplier days won contractors over. We invited 40 firms. "
        "#Retrofit <#C123|supply-chain> #retrofit",
    )
    assert draft.title == "Supplier days won contractors over"
    assert draft.tags == ("retrofit", "supply-chain")
    assert "#supply-chain" in draft.body and "<#C123" not in draft.body


def test_a_long_first_sentence_is_cut_at_a_word():
    draft = draft_from_text(BRIEF, "word " * 60)
    assert len(draft.title) <= 101 and draft.title.endswith("…")


@pytest.mark.parametrize(
    ("change", "field", "said"),
    [
        ({"title": "  "}, "title", "Give it a title"),
        ({"title": "t" * 151}, "title", "150 characters"),
        ({"body": "b" * 3001}, "body", "3,000 characters"),
        ({"body": "", "learnt": None}, "body", "Say what happened"),
        ({"tags": tuple(f"t{n}" for n in range(11))}, "tags", "at most 10 tags"),
        ({"tags": ("no spaces!",)}, "tags", "can't be a tag"),
        ({"source": "javascript:alert(1)"}, "source", "web link"),
    ],
)
def test_bad_drafts_name_the_field_and_save_nothing(session, change, field, said):
    draft = replace(Draft(kind=LESSON, title="Fine", body="Fine body"), **change)
    with pytest.raises(EntryError) as error:
        save(session, draft)
    assert error.value.field == field and said in str(error.value)
    assert session.exec(select(Entry)).all() == []


def test_saving_editing_and_deleting_are_audited(session):
    entry = save(session, Draft(kind=LESSON, title="Kickoff", body="Went well", tags=("lsp",)))
    edit_entry(
        session,
        entry=entry,
        draft=replace(Draft(kind=LESSON, title="Kickoff day", body="Went well")),
        actor_id="U1",
        manager=False,
        now=NOW,
    )
    delete_entry(session, entry=entry, actor_id="U1", manager=False, now=NOW)
    actions = [
        (a.action, a.actor_id)
        for a in history(session, team_id="T1", entity=LESSON, entity_id=entry.id)
    ]
    assert actions == [("create", "U1"), ("edit", "U1"), ("delete", "U1")]
    edit_detail = json.loads(
        history(session, team_id="T1", entity=LESSON, entity_id=entry.id)[1].detail
    )
    assert edit_detail == {"fields": ["tags", "title"]}
    assert find_visible(session, team_id="T1", entry_id=entry.id, channel_id="C1") is None


def test_only_the_author_or_a_manager_may_change_and_nobody_changes_the_library(session):
    entry = save(session, Draft(kind=LESSON, title="Mine", body="x"))
    assert may_change(entry, "U1", manager=False)
    assert not may_change(entry, "U2", manager=False)
    assert may_change(entry, "U2", manager=True)
    with pytest.raises(EntryError, match="Only the author"):
        delete_entry(session, entry=entry, actor_id="U2", manager=False, now=NOW)
    library = Entry(
        team_id="T1", kind="library", title="Guide", created_at=NOW, updated_at=NOW, changed_at=NOW
    )
    assert not may_change(library, "U1", manager=True)


def test_private_entries_are_visible_only_in_their_channel_and_team(session):
    entry = save(session, Draft(kind=BRIEF, title="Board", body="x", private=True), channel="CP")
    assert find_visible(session, team_id="T1", entry_id=entry.id, channel_id="CP") is not None
    assert find_visible(session, team_id="T1", entry_id=entry.id, channel_id="C2") is None
    assert find_visible(session, team_id="T2", entry_id=entry.id, channel_id="CP") is None


def test_a_partnership_from_another_workspace_is_refused(session):
    theirs = add_partnership(
        session, team_id="T2", name="Theirs", channel_id=None, actor_id="U", now=NOW
    )
    with pytest.raises(EntryError, match="partnership"):
        save(session, Draft(kind=LESSON, title="x", body="y", partnership_id=theirs.id))


def test_votes_count_once_per_person_and_can_change(session):
    entry = save(session, Draft(kind=LESSON, title="Mine", body="x"))
    vote(session, entry=entry, user_id="U2", helpful=True, now=NOW)
    vote(session, entry=entry, user_id="U3", helpful=True, now=NOW)
    vote(session, entry=entry, user_id="U2", helpful=False, now=NOW)
    assert (entry.helpful, entry.unhelpful) == (1, 1)
