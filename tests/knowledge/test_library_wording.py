"""The library is in our own words: no body or tip repeats a source document for 12 words or
more, except the named lists and the quoted definitions allowed below; and our own practice
tips are kept apart from what the documents say."""

import hashlib
import re
import sys
from pathlib import Path

import pytest

from knowledge.library import LIBRARY_FOLDER, load_library

RUN = 12  # words in a row shared with a source
# The source documents are not ours to republish, so the repository keeps only a fingerprint of
# each 12-word run in them; refresh it from the documents with
# `.venv/bin/python tests/knowledge/test_library_wording.py ../shared/seeds`.
FINGERPRINTS = Path(__file__).with_name("source_runs.txt")

# Named lists and rules keep the source's wording, so an officer recognises them; a definition
# quoted from a source is shown in quotation marks with its attribution.
NAMED_LISTS = {
    "systemic-governance-hard-soft": [
        "organisational structures, policies and procedures, strategy and purpose, budgeting and "
        "finance, funding models, legal structures and new models",
        "culture, ways of working, relationships, decision-making, power dynamics, handling "
        "conflict, leadership, communication and transparency, roles and accountability, "
        "participation and ownership, and identity",
    ],
    "morieux-six-rules": [
        "2) reinforce integrators, giving managers more power to integrate, and remove layers and "
        "rules; 3) increase the total quantity of power; 4) extend the shadow of the future so the "
        "consequences of today's actions are clear; 5) increase reciprocity; 6) reward those who "
        "cooperate",
    ],
    "partnership-types": [
        "charities, trusts and foundations, companies limited by guarantee, companies where the "
        "council is a shareholder, another council or statutory body",
        "formal forums, joint committees and joint ventures, voluntary arrangements, management "
        "committees, Local Strategic Partnerships",
    ],
}
QUOTATIONS = {
    "governance-definition": [
        (
            "Governance refers to an established group of people to whom we are accountable, they "
            "set policy and funding – they represent legitimate interests in our work, its impacts "
            "and outcomes",
            "(LGA technical briefing",
        )
    ],
    "council-definitions-of-partnership": [
        (
            "A joint working arrangement where partners are otherwise independent bodies, who "
            "agree to cooperate to achieve a common goal, through creating an organisational "
            "structure or process and agreed programme, and share information, risks and rewards",
            "(Audit Commission, quoted in the guide)",
        )
    ],
}


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "").replace("'", ""))


def runs_of(text: str) -> dict[str, str]:
    """Every run of 12 words in the text, by its fingerprint."""
    found = words(text)
    spans = (" ".join(found[i : i + RUN]) for i in range(len(found) - RUN + 1))
    return {hashlib.blake2b(s.encode(), digest_size=8).hexdigest(): s for s in spans}


def runs(text: str) -> set[str]:
    return set(runs_of(text))


def fingerprint(seeds: Path) -> set[str]:
    documents = sorted(seeds.glob("*.txt"))
    assert len(documents) == 5, f"the five source documents are expected in {seeds}"
    return set().union(*(runs(p.read_text(encoding="utf-8")) for p in documents))


@pytest.fixture(scope="module")
def seed_runs() -> set[str]:
    return set(FINGERPRINTS.read_text().split())


def test_the_fingerprints_are_of_the_documents_the_library_cites(seed_runs):
    import yaml

    cited = {yaml.safe_load(p.read_text())["seed"] for p in LIBRARY_FOLDER.glob("*.yaml")}
    assert len(cited) == 5
    seeds = Path(__file__).resolve().parents[3] / "shared" / "seeds"
    if not all((seeds / name).exists() for name in cited):
        pytest.skip("the source documents are not beside this checkout")
    assert fingerprint(seeds) == seed_runs


def test_no_entry_repeats_a_source_for_twelve_words(seed_runs):
    copied = {}
    for entry in load_library():
        text = entry.body
        for passage in NAMED_LISTS.get(entry.slug, []):
            assert passage in text, f"{entry.slug}: the allowed list is no longer in the body"
            text = text.replace(passage, " … ")
        for quoted, attribution in QUOTATIONS.get(entry.slug, []):
            assert f"“{quoted}”" in text or f'"{quoted}"' in text, f"{entry.slug}: not quoted"
            assert attribution in text, f"{entry.slug}: a quotation names its source"
            text = text.replace(quoted, " … ")
        ours = runs_of(text) | runs_of(entry.tip or "")
        shared = sorted(ours[key] for key in ours.keys() & seed_runs)
        if shared:
            copied[entry.slug] = shared[0]
    assert copied == {}


def test_the_allow_list_is_needed(seed_runs):
    """An allowed passage really is the source's wording; otherwise it should not be listed."""
    for slug, passages in NAMED_LISTS.items():
        for passage in passages:
            assert runs(passage) & seed_runs, f"{slug}: {passage[:40]}… is ours; drop it"


def test_the_copy_check_catches_a_copied_sentence(seed_runs):
    copied = (
        "Working together equips us with new tools that allow us to tackle these challenges "
        "in a new way."
    )
    assert runs(copied) & seed_runs
    assert not runs("Working together gives us new ways to tackle old problems.") & seed_runs


OUR_ADVICE = {  # practice tips that once sat in text cited to a document
    "breakout-four-questions": "Take them in order",
    "challenges-skills-and-lost-knowledge": "pair new officers",
    "governance-definition": "quick test",
    "informal-governance-contractor-assurance": "clerk of works",
    "honest-risk-reporting": "amber or red",
}


def test_our_own_advice_is_a_tip_never_under_the_citation():
    library = {e.slug: e for e in load_library()}
    for slug, phrase in OUR_ADVICE.items():
        assert phrase not in library[slug].body, slug
        assert phrase in (library[slug].tip or ""), slug


if __name__ == "__main__":
    FINGERPRINTS.write_text("\n".join(sorted(fingerprint(Path(sys.argv[1])))) + "\n")
