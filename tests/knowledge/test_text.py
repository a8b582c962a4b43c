"""How search reads words."""

from knowledge.text import STOP_WORDS, fold, stem, terms, words


def test_words_are_folded_and_split():
    assert words("Café-owners' RETROFIT, 2026!") == ["cafe", "owners", "retrofit", "2026"]
    assert fold("Ærø") == "ærø"


def test_terms_drop_stop_words_and_stem():
    assert terms("What derails the partnerships?") == ["derail", "partnership"]
    assert stem("councils") == stem("council") and stem("governing") == stem("governance")
    assert "partnership" not in STOP_WORDS
