"""Questions and their filters."""

import pytest

from knowledge.query import QueryError, parse_query


def test_words_and_every_filter():
    query = parse_query(
        'kind:lesson #retrofit <#C1|supply-chain> partnership:"Retrofit Partnership" '
        "from:<@U0SAM|sam> contractors trustmarked"
    )
    assert query.words == ("contractors", "trustmarked")
    assert query.kinds == {"lesson"} and query.tags == ("retrofit", "supply-chain")
    assert query.partnership == "Retrofit Partnership" and query.author_id == "U0SAM"


def test_kind_has_friendly_names_and_partnership_takes_dashes():
    query = parse_query("kind:notes kind:guidance partnership:lsp-board trust")
    assert query.kinds == {"brief", "library"} and query.partnership == "lsp board"


def test_filters_alone_are_a_query_and_links_are_words():
    assert parse_query("kind:lesson").has_filters
    assert parse_query("https://example.org/guide trust").words[-1] == "trust"


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ("", "What would you like to find?"),
        ("   ", "What would you like to find?"),
        ("x " * 2500, "keep it under 300"),
        ("!!! ??? 🙂🙂", "couldn't find any words"),
        ("what the how", "couldn't find any words"),
        ("colour:red trust", "I don't know the filter `colour:`"),
        ("kind:memo trust", "`kind:memo` isn't a kind I know"),
        ("partnership: trust", "`partnership:` needs a name"),
        ("from:sam trust", "`from:` needs a person"),
    ],
)
def test_bad_questions_say_what_is_wrong_with_an_example(raw, said):
    with pytest.raises(QueryError) as error:
        parse_query(raw)
    assert said in str(error.value)
    assert "/partners ask" in str(error.value) or "Filters:" in str(error.value)


def test_sql_looking_text_is_just_words():
    assert parse_query("'; DROP TABLE entry; --").words == ("drop", "table", "entry")
