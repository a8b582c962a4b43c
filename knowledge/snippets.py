"""The snippet under a search result: the passage that best answers, with the matched words
in bold (not the entry's first lines)."""

import re

from knowledge.text import fold, stem

_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n+")
_WORDS = re.compile(r"[^\W_]+", re.UNICODE)


def snippet(text: str, matched: frozenset[str], *, limit: int = 280) -> str:
    """The passage that best answers, in mrkdwn, with the matched words in bold."""
    sentences = [s.strip() for s in _SENTENCES.split(text) if s.strip()]
    if not sentences:
        return ""

    def is_match(word: str) -> bool:
        return stem(fold(word)) in matched

    def hits(sentence: str) -> int:
        return sum(1 for w in _WORDS.findall(sentence) if is_match(w))

    start = max(range(len(sentences)), key=lambda i: (hits(sentences[i]), -i))
    passage = " ".join(sentences[start:])
    lead = start > 0
    first = next((m.start() for m in _WORDS.finditer(passage) if is_match(m[0])), 0)
    if first > limit // 2:  # a long sentence: start shortly before its first matched word
        cut = passage.rfind(" ", 0, first - 40)
        passage, lead = passage[cut + 1 if cut > 0 else 0 :], True
    if len(passage) > limit:
        passage = passage[:limit].rsplit(" ", 1)[0] + "…"
    if lead:
        passage = "…" + passage
    escaped = (
        passage.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("*", "∗")
    )
    return _WORDS.sub(lambda m: f"*{m[0]}*" if is_match(m[0]) else m[0], escaped)
