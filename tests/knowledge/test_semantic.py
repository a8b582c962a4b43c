"""The meaning side of search: wordllama's model and tokenizer come from inside its installed
package and nothing is fetched, ever; a misspelt word still finds its entry; the meaning side
reads the question as corrected."""

import socket
from datetime import UTC, datetime

import numpy as np
import pytest

from knowledge import semantic
from knowledge.index import Document, Filters, SearchIndex
from knowledge.query import parse_query
from knowledge.ranking import question_vector, ranked

NOW = datetime(2026, 12, 3, tzinfo=UTC)


def test_the_model_loads_and_embeds_with_no_network_at_all(monkeypatch):
    semantic._models.clear()  # loaded from disk again, here, under the guard

    def refused(*args, **kwargs):
        raise AssertionError(f"a network connection was attempted: {args!r}")

    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, refused)
    monkeypatch.setattr(socket, "create_connection", refused)
    monkeypatch.setattr(socket, "getaddrinfo", refused)
    # and no way to download even if something tried: Hugging Face's own switch, off
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    vectors = semantic.embed(["what goes in a partnership agreement", "twelve questions"])
    assert vectors.shape == (2, semantic.DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    folder = semantic.model_folder()
    assert (folder / "weights").is_dir() and (folder / "tokenizers").is_dir()


def test_an_empty_text_is_the_zero_vector_and_no_texts_no_rows():
    assert semantic.embed([]).shape == (0, semantic.DIMENSIONS)
    assert not semantic.embed([""]).any()


@pytest.fixture(scope="module")
def index():
    docs = [
        ("Funding timescales leave too little time", "Grant windows are short; contractors wary."),
        ("Governance: who we answer to", "An established group to whom we are accountable."),
        ("Keeping knowledge when consultants leave", "Embed what the partner knows in teams."),
        ("Parks income", "People expect to use parks for free, so income is hard."),
    ] + [
        (f"Bin round {n} changed", f"The waste service moved round {n} to Tuesdays.")
        for n in range(40)
    ]
    built = SearchIndex()
    built.add_all(
        [
            Document(entry_id=n, kind="lesson", title=t, text=b, created=NOW)
            for n, (t, b) in enumerate(docs)
        ]
    )
    return built


def top(index, text):
    found = ranked(index, parse_query(text), Filters(), NOW)
    return [index.title_of(slot) for slot, _ in found.items]


def test_a_misspelt_word_still_finds_its_entry(index):
    assert top(index, "goverance accountable")[0] == "Governance: who we answer to"
    assert top(index, "consultnats leave knowlege")[0].startswith("Keeping knowledge")


def test_the_meaning_side_reads_the_question_corrected(index):
    corrected, strange = index.corrected(["goverance", "zzyzxq"])
    assert corrected[0] == "governance" and strange == 1
    typo, understood = question_vector(index, parse_query("goverance accountable"))
    right, _ = question_vector(index, parse_query("governance accountable"))
    assert understood and float(typo @ right) > 0.99


def test_an_acronym_is_spelt_out_for_the_meaning_side(index):
    corrected, _ = index.corrected(["LSP"])
    assert corrected == ["LSP", "local strategic partnership"]


def test_nonsense_is_not_understood_and_finds_nothing(index):
    assert top(index, "zzyzxq qwertyuiop") == []
    _, understood = question_vector(index, parse_query("zzyzxq qwertyuiop funding"))
    assert not understood


def test_a_removed_entry_leaves_the_meaning_side_too():
    built = SearchIndex()
    docs = [
        Document(entry_id=n, kind="lesson", title=f"Note {n}", text="Text here.") for n in range(3)
    ]
    built.add_all(docs)
    question = semantic.embed(["note"])[0]
    built.remove(1)
    slots, _ = built.likeness(question, Filters())
    assert [built.entry_of(s) for s in slots] == [0, 2]


def test_a_stop_word_or_a_word_most_entries_use_never_decides_a_result_alone():
    built = SearchIndex()
    docs = [
        ("Exit strategy", "Agree a documented exit strategy for the partnership from the start."),
        ("Parks income", "Partners bring time as well as money to the partnership."),
    ] + [(f"Partnership note {n}", f"The partnership met on day {n}.") for n in range(30)]
    built.add_all(
        [
            Document(entry_id=n, kind="lesson", title=t, text=b, created=NOW)
            for n, (t, b) in enumerate(docs)
        ]
    )
    found = top(built, "how do we exit a partnership well")
    assert found and found[0] == "Exit strategy"
    assert "Parks income" not in found  # it shares only "well" and "partnership"
