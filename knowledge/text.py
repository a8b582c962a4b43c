"""Words as search sees them: case-folded, accent-free, stemmed, without stop words."""

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
# A Snowball stemmer keeps state between calls and is not thread-safe: listener threads, index
# warm-up and theme clustering stem at once, so each thread has its own.
_local = threading.local()


def _stemmer() -> snowballstemmer.stemmer:
    found = getattr(_local, "stemmer", None)
    if found is None:
        found = _local.stemmer = snowballstemmer.stemmer("english")
    return found


# Words that carry no meaning in a question to the knowledge base.
_STOP_WORDS = """a about after again all also am an and any are as at be because been before being both
    but by can could did do does doing done for from had has have having he her here how i if in
    into is it its just me more most my no nor not now of off on once only or other others our out
    over own same she should so some such than that the their them then there these they this
    those through to too under until up very was we were what when where which while who whom why
    will with would you your yours us let lets make makes made thing things go goes
    going get gets getting say says said
    whats what's hows how's whos who's wheres where's whens it's its i'm im i've ive we're we've
    dont don't doesnt doesn't well really actually please"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def fold(text: str) -> str:
    """Lower case without accents: "Café" and "cafe" are one word."""
    if text.isascii():  # nearly every text: skip the per-character work
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The words of a text, folded, in order (apostrophes kept inside a word)."""
    return [w.replace("’", "'") for w in _WORD.findall(fold(text))]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem: "partnerships" and "partnership" become one term."""
    return str(_stemmer().stemWord(word.removesuffix("'s")))


def terms(text: str) -> list[str]:
    """The searchable terms of a text: stems of its words that are not stop words."""
    return [stem(w) for w in words(text) if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())]


def surface_terms(text: str) -> list[tuple[str, str]]:
    """(word, term) pairs, for showing a term as a word people recognise."""
    return [
        (w, stem(w)) for w in words(text) if w not in STOP_WORDS and (len(w) > 1 or w.isdigit())
    ]
