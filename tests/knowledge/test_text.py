"""How search reads words."""

from knowledge.text import STOP_WORDS, fold, stem, terms, words


def test_words_are_folded_and_split():
    assert words("Café-owners' RETROFIT, 2026!") == ["cafe", "owners", "retrofit", "2026"]
    assert fold("Ærø") == "ærø"


def test_terms_drop_stop_words_and_stem():
    assert terms("What derails the partnerships?") == ["derail", "partnership"]
    assert stem("councils") == stem("council") and stem("governing") == stem("governance")
    assert "partnership" not in STOP_WORDS


def test_stemming_from_many_threads_at_once_gives_the_same_stems() -> None:
    import threading

    import snowballstemmer

    from knowledge import text

    words_ = [f"{w}{n}" for n in range(400) for w in ("contractors", "partnerships", "governing")]
    expected = {w: snowballstemmer.stemmer("english").stemWord(w) for w in words_}
    text.stem.cache_clear()
    found: dict[str, str] = {}
    barrier = threading.Barrier(8)

    def work(offset: int) -> None:
        barrier.wait()
        for word in words_[offset::8] + words_:
            found[word] = text.stem(word)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    text.stem.cache_clear()
    assert {w: s for w, s in found.items() if s != expected[w]} == {}
