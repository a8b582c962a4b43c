"""The curated library: what it covers, and how it lands in each workspace."""

from dataclasses import replace

import yaml
from sqlmodel import select

from knowledge.library import load_library, sync_library
from storage.models import Entry
from tests.conftest import NOW

REQUIRED = [
    "breakout-four-questions",
    "themes-what-makes-good-partnerships",
    "systemic-governance-hard-soft",
    "governance-definition",
    "morieux-six-rules",
    "what-is-a-partnership",
    "partnership-types",
    "benefits-agility-flexibility",
    "benefits-diversity-of-thought",
    "benefits-access-to-funds",
    "benefits-support-in-kind-savings",
    "challenges-skills-resourcing",
    "challenges-governance-finance",
    "challenges-cultural-differences",
    "challenges-trust-issues",
    "best-practice-documents",
    "partnership-database",
    "lessons-learnt-process",
    "partnership-agreement-twelve-questions",
    "leadership-in-partnerships",
    "building-trust",
    "performance-management-smart",
    "what-to-learn-from-partnerships",
    "prioritisation-impact-risk-tool",
    "benefits-tracking",
    "knowledge-retention-private-partners",
    "four-types-of-lsp",
    "housing-joint-working-outcomes",
]


def library_rows(session, team="T1"):
    return list(
        session.exec(
            select(Entry)
            .where(Entry.team_id == team)
            .where(Entry.kind == "library")
            .order_by(Entry.slug)
        )
    )


def test_the_library_covers_the_brief_in_40_to_80_cited_entries():
    library = load_library()
    assert 40 <= len(library) <= 80
    slugs = {e.slug for e in library}
    assert [s for s in REQUIRED if s not in slugs] == []
    assert all(e.source and len(e.body) >= 200 for e in library)  # each cites, each stands alone
    assert len({e.source for e in library}) == 5  # one citation per source document


def test_the_twelve_agreement_questions_are_all_there():
    entry = next(e for e in load_library() if e.slug == "partnership-agreement-twelve-questions")
    assert all(f"{n})" in entry.body for n in range(1, 13))


def test_every_workspace_gets_it_once(session):
    assert sync_library(session, team_id="T1", now=NOW) == len(load_library())
    assert sync_library(session, team_id="T1", now=NOW) == 0  # a restart changes nothing
    sync_library(session, team_id="T2", now=NOW)
    assert len(library_rows(session)) == len(library_rows(session, "T2")) == len(load_library())


def test_a_new_release_updates_in_place_and_retires_what_it_dropped(session):
    sync_library(session, team_id="T1", now=NOW)
    before = {row.slug: row.id for row in library_rows(session)}
    first, second, *rest = load_library()
    release = (replace(first, body=first.body + " Revised."), *rest)  # second is dropped
    assert sync_library(session, team_id="T1", now=NOW, library=release) == 2
    rows = {row.slug: row for row in library_rows(session)}
    assert rows[first.slug].id == before[first.slug] and rows[first.slug].body.endswith("Revised.")
    assert rows[first.slug].version == 2
    assert rows[second.slug].deleted_at is not None
    assert len(rows) == len(before)  # no duplicates
    sync_library(session, team_id="T1", now=NOW)  # and the release after brings it back
    restored = next(row for row in library_rows(session) if row.slug == second.slug)
    assert restored.deleted_at is None


def test_libyamls_quick_loader_reads_the_library_and_decks_as_the_python_one_does():
    from knowledge.decks import DECK_FOLDER
    from knowledge.library import LIBRARY_FOLDER, SafeLoader

    assert SafeLoader is yaml.CSafeLoader  # the wheel ships libyaml: starts stay quick
    for path in [*LIBRARY_FOLDER.glob("*.yaml"), *DECK_FOLDER.glob("*.yaml")]:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=SafeLoader) == yaml.safe_load(text), path.name
