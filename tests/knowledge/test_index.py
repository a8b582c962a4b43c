"""The inverted index: typo-tolerant, word-order-free, field-weighted, filterable, incremental."""

from datetime import UTC, datetime

import pytest

from knowledge.index import Document, Filters, SearchIndex
from knowledge.synonyms import concept_terms_in
from knowledge.text import terms


def doc(entry_id, title, text="", kind="lesson", **extra):
    return Document(entry_id=entry_id, kind=kind, title=title, text=text, **extra)


@pytest.fixture
def index():
    ix = SearchIndex()
    ix.add(
        doc(
            1,
            "Getting contractors TrustMarked",
            "Supplier days persuaded local firms.",
            tags=("retrofit", "supply-chain"),
            author_id="U1",
            partnership_id=7,
        )
    )
    ix.add(
        doc(
            2,
            "Budget cuts in parks",
            "The retrofit budget moved to the parks team.",
            kind="brief",
            author_id="U2",
        )
    )
    ix.add(
        doc(
            3,
            "What governance means",
            "An established group to whom we are accountable.",
            kind="library",
            tags=("governance",),
        )
    )
    ix.add(
        doc(
            4,
            "Board minutes",
            "Private board discussion of retrofit contractors.",
            private_channel="CPRIVATE",
            author_id="U1",
        )
    )
    return ix


def found(ix, words, **filters):
    scored = ix.score(words, Filters(**filters))
    order = sorted(zip(scored.scores.tolist(), scored.slots.tolist(), strict=True), reverse=True)
    return [ix.entry_of(slot) for _, slot in order]


def test_exact_words_in_any_order(index):
    assert found(index, ["trustmarked", "contractors"])[0] == 1
    assert found(index, ["contractors", "trustmarked"])[0] == 1


@pytest.mark.parametrize("typo", ["contracters", "contarctors", "trustmakred", "goverance"])
def test_a_word_one_or_two_typos_away_still_matches(index, typo):
    assert found(index, [typo])


def test_a_word_it_begins_matches(index):
    assert 1 in found(index, ["trustm"])
    assert found(index, ["gov"]) == []  # too short to guess from


def test_title_outweighs_tags_outweighs_body():
    ix = SearchIndex()
    ix.add(doc(1, "Other", "trust trust"))
    ix.add(doc(2, "Other", "nothing", tags=("trust",)))
    ix.add(doc(3, "Trust", "nothing"))
    assert found(ix, ["trust"]) == [3, 2, 1]


def test_private_entries_are_seen_only_from_their_channel(index):
    assert 4 not in found(index, ["board"])
    assert 4 not in found(index, ["board"], channel_id="COTHER")
    assert found(index, ["board"], channel_id="CPRIVATE") == [4]


def test_filters(index):
    assert found(index, ["retrofit"], kinds=frozenset({"brief"})) == [2]
    assert found(index, ["retrofit"], tags=("supply-chain",)) == [1]
    assert found(index, ["retrofit"], tags=("nonesuch",)) == []
    assert found(index, ["retrofit"], partnership_id=7) == [1]
    assert found(index, ["retrofit"], author_id="U2") == [2]
    assert found(index, ["retrofit"], author_id="U9") == []


def test_filters_alone_list_every_match(index):
    scored = index.score([], Filters(kinds=frozenset({"lesson", "brief"})))
    assert sorted(index.entry_of(s) for s in scored.slots.tolist()) == [1, 2]


def test_replacing_and_removing_need_no_rebuild(index):
    index.add(doc(2, "Budget cuts in parks", "Now about allotments."))
    assert 2 not in found(index, ["retrofit"]) and found(index, ["allotments"]) == [2]
    index.remove(1)
    assert 1 not in found(index, ["contractors"]) and len(index) == 3


def test_compaction_keeps_every_live_entry():
    ix = SearchIndex()
    created = datetime(2026, 1, 1, tzinfo=UTC)
    for n in range(1, 1501):
        ix.add(doc(n, f"Entry {n}", f"w{n % 10} shared", created=created))
    for n in range(1, 1001):
        ix.remove(n)
    assert len(ix) == 500
    assert sorted(found(ix, ["w3"])) == [n for n in range(1001, 1501) if n % 10 == 3]


def test_coverage_says_how_much_of_the_query_matched(index):
    scored = index.score(["contractors", "parks"], Filters())
    assert 0 < max(scored.coverage.tolist()) < 1
    assert (scored.known, scored.unknown) == (2, 0)


def test_a_word_nothing_uses_does_not_sink_the_rest(index):
    scored = index.score(["contractors", "icebreaker"], Filters())
    assert (scored.known, scored.unknown) == (1, 1)
    assert [index.entry_of(s) for s in scored.slots.tolist()] == [1]
    assert scored.coverage.tolist() == [1.0]


def test_council_vocabulary_finds_acronyms_and_near_synonyms():
    ix = SearchIndex()
    ix.add(doc(1, "The LSP board", "Our LSP meets monthly."))
    ix.add(doc(2, "Parks income", "Partners reach funds the council cannot."))
    ix.add(doc(3, "Local Strategic Partnership", "A partnership of local agencies."))
    ix.add(doc(4, "Strategic planning", "A local partnership with a strategic aim."))
    assert set(found(ix, ["local", "strategic", "partnership"])[:2]) == {1, 3}
    assert set(found(ix, ["lsp"])) == {1, 3}
    assert found(ix, ["grants"]) == [2]
    assert 2 in found(ix, ["grnats"])  # a typo of a synonym still reaches it
    # the risk register is not the partnership register
    assert concept_terms_in(terms("the risk register")) == ["~risk-register"]
    assert concept_terms_in(terms("our register of partnerships")) == ["~register"]
    # the words a synonym matched are the ones the snippet bolds
    slot = next(s for s in ix.score(["grants"], Filters()).slots.tolist() if ix.entry_of(s) == 2)
    assert "fund" in ix.matched([slot], ["grants"])[0]


def test_closest_word_for_did_you_mean(index):
    assert index.closest_word("retorfit") == "retrofit"
    assert index.closest_word("zebra") is None
    assert index.closest_word("trustm") is None  # a beginning is not a typo
