"""What someone asked: the words to search for and the filters (`kind:`, `#tag`, …)."""

import re
from dataclasses import dataclass

from knowledge.text import STOP_WORDS, words

QUERY_MAX = 300
KIND_NAMES = {
    "lesson": "lesson",
    "lessons": "lesson",
    "brief": "brief",
    "briefs": "brief",
    "note": "brief",
    "notes": "brief",
    "briefing": "brief",
    "library": "library",
    "guidance": "library",
    "guide": "library",
}
FILTER_HELP = (
    "Filters: `kind:lesson`, `kind:brief`, `kind:library`, `#tag`, "
    '`partnership:NAME` (or `partnership:"Two Words"`), `from:@person`, `from:network` '
    "(what other councils shared with your networks), `council:NAME`."
)
EXAMPLE = "Try `/partners ask what derails a partnership` or `/partners ask kind:lesson #retrofit contractors`."

# Slack escapes, with should_escape on: <@U123|sam>, <#C123|retrofit>
_TOKEN = re.compile(
    r"(?P<url><?https?://\S+)"
    r'|(?P<key>[A-Za-z]+):(?:"(?P<quoted>[^"]*)"|(?P<value><[^<>]*>|\S*))'
    r"|<#(?P<channel>[A-Z0-9]+)(?:\|(?P<channel_name>[^<>]*))?>"
    r"|<@(?P<user>[A-Z0-9]+)(?:\|[^<>]*)?>"
    r"|(?<![\w&])#(?P<tag>[\w-]+)"
    r"|(?P<word>\S+)"
)
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|[^<>]*)?>")


class QueryError(ValueError):
    """A question search cannot take; the message says why and shows a good one."""


@dataclass(frozen=True)
class Query:
    """A parsed question."""

    text: str  # the words alone, as typed
    words: tuple[str, ...]
    kinds: frozenset[str] | None = None
    tags: tuple[str, ...] = ()
    partnership: str | None = None
    author_id: str | None = None
    network: bool = False  # `from:network`: only what other councils shared in its networks
    council: str | None = None  # `council:NAME`: only what that council shared (casefolded)

    @property
    def has_filters(self) -> bool:
        return bool(self.kinds or self.tags or self.partnership or self.author_id or self.network)


def parse_query(raw: str) -> Query:
    """Split a question into words and filters; QueryError when it cannot be searched."""
    raw = (raw or "").strip()
    if not raw:
        raise QueryError(f"What would you like to find? {EXAMPLE}")
    if len(raw) > QUERY_MAX:
        raise QueryError(
            f"That question is {len(raw):,} characters long; keep it under {QUERY_MAX}. {EXAMPLE}"
        )
    kinds: set[str] = set()
    tags: list[str] = []
    partnership = author = council = None
    network = False
    kept: list[str] = []
    for match in _TOKEN.finditer(raw):
        if match["key"]:
            key = match["key"].casefold()
            value = (match["quoted"] if match["quoted"] is not None else match["value"]).strip()
            if key == "kind":
                kind = KIND_NAMES.get(value.casefold())
                if kind is None:
                    raise QueryError(f"`kind:{value}` isn't a kind I know. {FILTER_HELP}")
                kinds.add(kind)
            elif key == "partnership":
                if not value:
                    raise QueryError(f"`partnership:` needs a name. {FILTER_HELP}")
                partnership = value.replace("_", " ").replace("-", " ")
            elif key == "from" and value.casefold() in ("network", "networks"):
                network = True
            elif key == "council":
                if not value:
                    raise QueryError(f"`council:` needs a council's name. {FILTER_HELP}")
                council, network = " ".join(value.replace("_", " ").split()).casefold(), True
            elif key == "from":
                user = _USER.fullmatch(value)
                if user is None:
                    raise QueryError(f"`from:` needs a person, like `from:@sam`. {FILTER_HELP}")
                author = user[1]
            else:
                raise QueryError(f"I don't know the filter `{key}:`. {FILTER_HELP}")
        elif match["channel"] or match["tag"]:
            tag = match["channel_name"] or match["tag"] or ""
            if tag:
                tags.append(tag.casefold())
        elif match["user"]:
            continue  # a bare mention is not something entries contain
        elif match["word"] or match["url"]:
            kept.append(match.group(0))
    text = " ".join(kept)
    found = tuple(w for w in words(text) if w not in STOP_WORDS)
    query = Query(
        text=text,
        words=found,
        kinds=frozenset(kinds) or None,
        tags=tuple(tags),
        partnership=partnership,
        author_id=author,
        network=network,
        council=council,
    )
    if not found and not query.has_filters:
        raise QueryError(f"I couldn't find any words to search for in that. {EXAMPLE}")
    return query
