"""Did-you-mean suggestions."""

from knowledge.vocabulary import closest

SUBCOMMANDS = ["help", "ask", "search", "lesson", "brief", "commit", "actions", "partnership"]


def test_a_typo_finds_the_word_meant():
    assert closest("parnership", SUBCOMMANDS) == "partnership"
    assert closest("COMIT", SUBCOMMANDS) == "commit"


def test_nothing_close_suggests_nothing():
    assert closest("xyzzy", SUBCOMMANDS) is None
    assert closest("", SUBCOMMANDS) is None
    assert closest("!!!", SUBCOMMANDS) is None
