"""Search over the database: in step with every save, ranked, thresholded, kept apart."""

from datetime import timedelta

import pytest

from knowledge.entries import BRIEF, LESSON, Draft, delete_entry, edit_entry, save_entry, vote
from knowledge.partnerships import add_partnership
from knowledge.query import QueryError, parse_query
from knowledge.search import KnowledgeSearch
from knowledge.snippets import snippet
from storage.db import session_factory
from tests.conftest import NOW


@pytest.fixture
def search(engine):
    return KnowledgeSearch(session_factory(engine), clock=lambda: NOW)


def ask(search, text, *, team="T1", channel="C1", offset=0, limit=5):
    return search.search(
        team_id=team,
        query=parse_query(text),
        channel_id=channel,
        now=NOW,
        offset=offset,
        limit=limit,
    )


def titles(session, results):
    from storage.models import Entry

    return [session.get(Entry, hit.entry_id).title for hit in results.hits]


def lesson(session, title, body, *, team="T1", author="U1", channel="C1", **extra):
    return save_entry(
        session,
        team_id=team,
        author_id=author,
        channel_id=channel,
        now=NOW,
        draft=Draft(kind=extra.pop("kind", LESSON), title=title, body=body, **extra),
    )


def test_the_library_answers_from_the_first_search(search, session):
    results = ask(search, "what derails a partnership")
    assert results.total >= 1
    assert "Differing agendas" in titles(session, results)[0]


@pytest.mark.parametrize("question", ["retorfit skills", "retrofit skils", "skills retrofit"])
def test_typos_and_word_order_still_find_it(search, session, question):
    assert "retrofit skills" in " ".join(titles(session, ask(search, question))).lower()


def test_a_saved_lesson_is_found_at_once_and_edits_and_deletions_too(search, session):
    ask(search, "warmup")  # the index exists before the save
    entry = lesson(session, "Supplier days", "We invited forty local contractors to a breakfast.")
    assert titles(session, ask(search, "contractors breakfast"))[0] == "Supplier days"
    edit_entry(
        session,
        entry=entry,
        draft=Draft(kind=LESSON, title="Supplier days", body="We ran a webinar instead."),
        actor_id="U1",
        manager=False,
        now=NOW + timedelta(seconds=1),
    )
    assert "Supplier days" not in titles(session, ask(search, "breakfast"))
    assert titles(session, ask(search, "webinar")) == ["Supplier days"]
    delete_entry(session, entry=entry, actor_id="U1", manager=False, now=NOW + timedelta(seconds=2))
    assert ask(search, "webinar").total == 0


def test_the_index_survives_a_restart(engine, session):
    lesson(session, "Supplier days", "We invited forty local contractors to a breakfast.")
    fresh = KnowledgeSearch(session_factory(engine), clock=lambda: NOW)
    assert titles(session, ask(fresh, "breakfast")) == ["Supplier days"]


def test_nonsense_finds_nothing_and_suggests_a_known_word(search):
    results = ask(search, "retorfit zzyzx qwertyuiop")
    assert results.total == 0
    nothing = ask(search, "zzyzxq")
    assert nothing.total == 0 and nothing.suggestions == ()
    typo_among_nonsense = ask(search, "frobnicate qwertyuiop goverence")
    assert typo_among_nonsense.total == 0
    assert typo_among_nonsense.suggestions == ("governance",)


def test_a_common_word_among_unknown_ones_is_not_an_answer(search):
    assert ask(search, "partnership").total > 0
    assert ask(search, "partnership frobnicate widgets").total == 0


def test_filters_paging_and_isolation(search, session):
    retro = add_partnership(
        session, team_id="T1", name="Retrofit Partnership", channel_id="C1", actor_id="U1", now=NOW
    )
    for n in range(8):
        lesson(
            session,
            f"Contractor lesson {n}",
            f"Contractors and supply chain note {n}.",
            tags=("supply-chain",),
            partnership_id=retro.id if n < 3 else None,
            author="U2" if n == 0 else "U1",
        )
    lesson(session, "Contractor brief", "Contractors briefing.", kind=BRIEF)
    lesson(session, "Contractor elsewhere", "Contractors in Wigan.", team="T2")
    first = ask(search, "kind:lesson contractors")
    assert first.total == 8 and len(first.hits) == 5 and first.has_more
    second = ask(search, "kind:lesson contractors", offset=5)
    assert len(second.hits) == 3 and not second.has_more
    assert not {h.entry_id for h in first.hits} & {h.entry_id for h in second.hits}
    assert ask(search, "kind:brief contractors").total == 1
    assert ask(search, "kind:lesson #supply-chain contractors").total == 8
    assert ask(search, "partnership:retrofit-partnership contractors").total == 3
    assert ask(search, "from:<@U2|sam> contractors").total == 1
    assert "Contractor elsewhere" not in titles(session, ask(search, "contractors", limit=50))
    assert titles(session, ask(search, "wigan", team="T2")) == ["Contractor elsewhere"]
    with pytest.raises(QueryError, match="no partnership called"):
        ask(search, "partnership:nonesuch contractors")


def test_private_entries_are_found_only_from_their_channel(search, session):
    board = lesson(
        session,
        "Board fallout",
        "The chair resigned after the budget row.",
        channel="CP",
        private=True,
    )

    def found_from(channel):
        return board.id in {
            hit.entry_id for hit in ask(search, "chair resigned", channel=channel).hits
        }

    assert found_from("CP")
    assert not found_from("C1") and not found_from(None)


def test_a_well_voted_entry_ranks_higher_on_a_tie(search, session):
    a = lesson(session, "Kickoff notes", "Agree goals at kickoff.")
    b = lesson(session, "Kickoff notes", "Agree goals at kickoff.")
    for voter in ("U2", "U3", "U4"):
        vote(session, entry=b, user_id=voter, helpful=True, now=NOW)
    assert [h.entry_id for h in ask(search, "kickoff goals").hits][:2] == [b.id, a.id]


def test_snippets_bold_the_matched_words_and_escape_the_rest():
    text = "First sentence. Contractors <b>love</b> TrustMark & training."
    shown = snippet(text, frozenset({"contractor", "trustmark"}))
    assert shown == "…*Contractors* &lt;b&gt;love&lt;/b&gt; *TrustMark* &amp; training."


def test_did_you_mean_never_suggests_a_word_only_a_private_entry_uses(search, session):
    lesson(
        session, "Board", "Talk of redundancies in the housing team.", channel="CP", private=True
    )
    assert ask(search, "redundancie frobnicate qwertyuiop", channel="CP").suggestions == (
        "redundancies",
    )
    assert "redundancies" not in ask(search, "redundancie frobnicate qwertyuiop").suggestions
