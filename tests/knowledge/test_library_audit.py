"""The library is exact: each finding of the audit of its 98 reusable items against the five
documents (issue 21) stays fixed. A distortion's wording never comes back, what a document says
and we had dropped is there, entries drawn from the 2008 article say they are dated, and no
entry runs past 120 words."""

import pytest

from knowledge.library import load_library

LIBRARY = {e.slug: e for e in load_library()}

# (slug, what the documents do not say) for every distortion and unsourced sentence found
NEVER = [
    ("luton-discovery-and-pmo", "kept every project aligned"),  # an aim, not a result
    ("luton-discovery-and-pmo", "improved project governance"),
    ("partnership-toolkit-excel", "start from a template"),  # the guide names no templates
    ("strategic-approach-to-partnership", "the common barrier"),
    ("helping-people-deprioritise", "politically skewed"),
    ("retrofit-why-councils-partner", "influence where it has no control"),
    ("informal-governance-contractor-assurance", "no longer manage"),
    ("luton-managing-a-strategic-partner", "proving value"),
    ("luton-managing-a-strategic-partner", "showing value"),
]
# (slug, what the document says and the library now says again)
ALWAYS = [
    ("retrofit-why-councils-partner", "within the council's control"),
    ("strategic-approach-to-partnership", "variety of reasons"),
    ("strategic-approach-to-partnership", "inside and outside the council"),
    ("helping-people-deprioritise", "politically sensitive"),
    ("informal-governance-contractor-assurance", "do not manage housing stock directly"),
    ("luton-managing-a-strategic-partner", "ensuring value for money"),
    ("luton-discovery-and-pmo", "aims to align all projects"),
    ("strategic-partners-fill-gaps-bring-risks", "Sarah-Joy Lewis"),
    ("strategic-partners-fill-gaps-bring-risks", "Sector Support Programme 2024/25"),
    ("working-with-consultancies-pwc", "PwC"),
    ("morieux-applied-to-councils", "BEIS"),
    ("morieux-six-rules", "TED talk"),
    ("four-types-of-lsp", "OPM"),
    ("four-types-of-lsp", "Governing Partnerships, 2006"),
    ("laas-and-performance-management", "16 mandatory targets"),
    ("laas-and-performance-management", "district LSPs do not produce one"),
    ("housing-why-it-is-hard", "nomination rights"),
    ("short-term-pressure-long-term-goals", "special educational needs and disabilities"),
    ("luton-discovery-and-pmo", "Project Management Office (PMO"),
    ("partnership-types", "the body that receives the money"),
]


@pytest.mark.parametrize(("slug", "phrase"), NEVER)
def test_no_distortion_or_unsourced_sentence_returns(slug, phrase):
    entry = LIBRARY[slug]
    assert phrase not in entry.body and phrase not in (entry.tip or "")


@pytest.mark.parametrize(("slug", "phrase"), ALWAYS)
def test_what_the_documents_say_is_there(slug, phrase):
    assert phrase in LIBRARY[slug].body


def test_blame_failure_to_help_keeps_its_two_rules_as_our_tip():
    entry = LIBRARY["blame-failure-to-help"]
    assert "withhold help" not in entry.body and "withhold help" in (entry.tip or "")


def test_pwc_is_filed_under_consultancy_not_technology():
    assert "PwC" not in LIBRARY["technology-partners-power-balance"].body
    assert "consultancy" in LIBRARY["working-with-consultancies-pwc"].tags.split()


def test_every_entry_from_the_lsp_article_says_it_is_from_early_2008():
    drawn = [e for e in LIBRARY.values() if e.source.startswith("Article: can Local Strategic")]
    assert len(drawn) >= 10
    for entry in drawn:
        assert "(early 2008)" in entry.source
        assert entry.body.endswith("as they stood then."), entry.slug


def test_no_entry_runs_past_120_words():
    for entry in LIBRARY.values():
        own = entry.body.split("\n\n")[0]  # the dated line is not the entry's own
        assert len(own.split()) <= 120, (entry.slug, len(own.split()))


def test_the_eight_documents_are_listed_once_and_pointed_to():
    listing = [e.slug for e in LIBRARY.values() if "8) an agreed process" in e.body]
    assert listing == ["best-practice-documents"]
    for slug in ("partnership-database", "best-practice-three-groups"):
        assert "The documents best practice keeps" in LIBRARY[slug].body
