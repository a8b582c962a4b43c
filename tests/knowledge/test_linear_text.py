"""Every pattern applied to what people write runs in linear time: a 40,000-character message
built to make a regular expression backtrack (Slack allows 40,000 characters) is read in well
under 50 ms, so nobody can hold a worker, and every council it serves, with one message."""

import contextlib
import time
from datetime import date

import pytest

from bot.emulator import demo_workspace
from bot.render import plain
from handlers.prioritise import MENTION as SCORERS
from handlers.search import MENTION
from handlers.sending import quiet
from knowledge.breakout import BreakoutError, parse_breakout
from knowledge.commit_text import parse_commit
from knowledge.commitments import CommitmentError
from knowledge.data_rights import _mentions
from knowledge.dates import DueDateError, parse_date, parse_due
from knowledge.entries import LESSON, draft_from_text
from knowledge.query import QueryError, parse_query
from knowledge.snippets import snippet
from knowledge.text import surface_terms

N = 40_000
LIMIT = 0.050  # seconds
TODAY = date(2026, 12, 3)
WORKSPACE = demo_workspace()


def fill(unit: str, *, before: str = "", after: str = "") -> str:
    """`unit` repeated to make the whole text N characters long."""
    room = N - len(before) - len(after)
    return before + (unit * (room // len(unit) + 1))[:room] + after


def quietly(parse):
    def run(text):
        # refusing it is fine; taking seconds to is not
        with contextlib.suppress(BreakoutError, CommitmentError, DueDateError, QueryError):
            parse(text)

    return run


CASES = {
    # "Save as lesson learnt" on a whole message: tags, sentences, titles
    "lesson: unclosed channel labels": (
        lambda t: draft_from_text(LESSON, t),
        fill("<#A|"),
    ),
    "lesson: hashes": (lambda t: draft_from_text(LESSON, t), fill("#a-")),
    "lesson: dots and newlines": (lambda t: draft_from_text(LESSON, t), fill(". \n")),
    "breakout: a run of spaces": (quietly(parse_breakout), fill(" ", before="x", after="y")),
    "breakout: for for for": (quietly(parse_breakout), fill(" for")),
    "breakout: for 10 then spaces": (quietly(parse_breakout), fill(" ", before="d for 10")),
    "breakout: quotes": (quietly(parse_breakout), fill('"')),
    "commit: unclosed mentions": (quietly(parse_commit), fill("<@U1|")),
    "commit: many mentions": (quietly(parse_commit), fill("<@U1>", after=" do it by friday")),
    "commit: a run of spaces": (quietly(parse_commit), fill(" ", before="<@U1> x", after="y")),
    "commit: by by by": (quietly(parse_commit), fill(" by", before="<@U1> x")),
    "commit: in in in": (quietly(parse_commit), fill(" in", before="<@U1> x by 12 dec")),
    "commit: spaces before by": (quietly(parse_commit), fill(" ", before="<@U1> x", after="by")),
    "due: a page of dates": (quietly(lambda t: parse_due(t, TODAY)), fill("12 dec ")),
    "register date: a page of dates": (quietly(lambda t: parse_date(t, TODAY)), fill("12 dec ")),
    "ask: filters": (quietly(parse_query), fill("a:<x ")),
    "mention: unclosed mentions": (lambda t: MENTION.sub(" ", t), fill("<@U1|")),
    "scorers: unclosed mentions": (lambda t: SCORERS.findall(t), fill("<@U1|")),
    "quiet: unclosed mass mentions": (quiet, fill("<!channel|")),
    "quiet: unclosed group mentions": (quiet, fill("<!subteam^A|")),
    "quiet: unclosed former members": (quiet, fill("<@UFORMER|<!here")),
    "forget-user: unclosed mentions": (lambda t: _mentions("U1").sub("x", t), fill("<@U1|")),
    "shell: unclosed links": (lambda t: plain(t, WORKSPACE), fill("<http://a|<#C1|<@U1|")),
    "snippet: sentences": (lambda t: snippet(t, frozenset({"trust"})), fill("trust. ")),
    "words": (lambda t: list(surface_terms(t)), fill("don't'")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_forty_thousand_adversarial_characters_take_under_50_ms(case):
    read, text = CASES[case]
    assert len(text) >= N - 10
    best = float("inf")
    for _ in range(3):  # the best of three: the machine's other work is not ours
        started = time.perf_counter()
        read(text)
        best = min(best, time.perf_counter() - started)
    assert best < LIMIT, f"{case}: {best * 1000:.0f} ms"


def test_what_the_patterns_read_is_unchanged():
    assert parse_breakout("effective-partnerships for 10m").minutes == 10
    assert parse_breakout('"What worked?"   for 5 minutes').minutes == 5
    assert parse_breakout('"Plan for 2026"').minutes is None
    request = parse_commit("<@U1|sam> and <@U2> Share the map  by  the board by 12 Dec")
    assert request.owners == ("U1", "U2")
    assert (request.action, request.when) == ("Share the map by the board", "12 Dec")
    assert draft_from_text(LESSON, "Go early <#C1|retrofit> #supply-chain").tags == (
        "retrofit",
        "supply-chain",
    )
    assert quiet("<!here|here> and <!subteam^S1|@leads>") == "@here and @leads"
