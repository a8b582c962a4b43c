"""Council vocabulary: the acronyms and near-synonyms officers use for one thing.

Each group is a concept. At index time a document that uses any of its variants also gets the
concept's term ("~lsp"); at query time a variant in the question also looks for that term. So
"local strategic partnership" finds text that says "LSP", and "grants" finds "funds". Variants
are matched on stems, with stop words left out, the way every other word is indexed.

Curated by hand: a small, known vocabulary, checked against what officers type. A group should
only hold words that mean the same thing in a partnership's papers; "community" is not a
synonym of "residents" there.
"""

from collections.abc import Iterable, Sequence
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from knowledge.spelling import TYPO_FACTORS, Expansion, Vocabulary
from knowledge.text import fold, stem, terms

CONCEPT_PREFIX = "~"
LONGEST = 4  # words in the longest variant

GROUPS: dict[str, tuple[str, ...]] = {
    # acronyms
    "lsp": ("LSP", "LSPs", "local strategic partnership"),
    "laa": ("LAA", "LAAs", "local area agreement"),
    "caa": ("CAA", "comprehensive area assessment"),
    "pmo": ("PMO", "project management office", "programme management office"),
    "vcs": (
        "VCS",
        "VCSE",
        "VCFS",
        "voluntary sector",
        "third sector",
        "voluntary organisations",
        "charities",
        "charity",
    ),
    "smart": ("SMART", "specific measurable achievable"),
    "rag": ("RAG", "red amber green", "traffic light", "amber"),
    "mou": (
        "MoU",
        "memorandum of understanding",
        "partnership agreement",
        "collaboration agreement",
        "heads of terms",
    ),
    "sla": ("SLA", "service level agreement"),
    "s106": ("S106", "section 106", "planning obligation", "developer contributions"),
    "kpi": ("KPI", "KPIs", "key performance indicator", "performance indicator", "metric"),
    "nrf": ("NRF", "neighbourhood renewal"),
    "send": ("SEND", "special educational needs"),
    "jv": ("JV", "joint venture"),
    "nhs": ("NHS", "health service", "ICB", "integrated care board", "CCG"),
    "housing-association": (
        "housing association",
        "housing provider",
        "registered provider",
        "social landlord",
        "social housing provider",
    ),
    "council": ("council", "local authority", "local authorities"),
    "councillor": ("councillor", "elected member", "cllr", "politician"),
    # near-synonyms
    "retrofit": (
        "retrofit",
        "energy efficiency",
        "insulation",
        "insulate",
        "energy upgrade",
        "home upgrade",
        "decarbonisation",
    ),
    "funding": ("funding", "funds", "grant", "grants", "funding stream"),
    "income": ("income", "revenue", "generate income", "earn money"),
    "saving": ("saving", "savings", "cost saving", "cut costs", "cheaper", "value for money"),
    "contractor": ("contractor", "builder", "installer", "tradespeople"),
    "accredited": ("trustmark", "accredited", "accreditation", "certified"),
    "residents": ("residents", "householders", "local people", "citizens", "members of the public"),
    "engagement": ("engagement", "engage", "involvement", "involve", "participation"),
    "bureaucracy": ("bureaucracy", "red tape", "paperwork", "box ticking", "bureaucratic"),
    "accountable": ("accountable", "accountability", "answerable"),
    "prioritise": ("prioritise", "prioritisation", "priority", "rank", "ranking", "come first"),
    "learnt": ("learnt", "learned", "lessons"),
    "register": ("partnership database", "register", "inventory of partnerships"),
    "risk-register": ("risk register",),  # longest match first: not the partnership register
    "consultant": ("consultant", "consultancy", "consulting firm", "adviser"),
    "supplier": ("supplier", "vendor"),
    "technology": ("technology", "tech", "digital", "AI", "artificial intelligence", "software"),
    "workforce": ("workforce", "staff", "employees"),
    "training": ("training", "upskilling", "professional development", "CPD"),
    "expertise": ("expertise", "skills", "capability"),
    "champion": ("champion", "sponsor", "leadership"),
    "exit": ("exit strategy", "exit plan", "wind down", "closing a partnership"),
    "board": ("board", "steering group", "executive board"),
    "derail": ("derail", "fall apart", "collapse", "break down"),
    "imposed": ("imposed", "top down", "forced on"),
    "pilot": ("pilot", "trial", "test and learn"),
    "representative": ("representative", "representatives", "rep", "reps", "representation"),
    "slow-to-build": ("time consuming", "take time", "takes time", "long", "slow"),
    "long-term": ("long term", "longer term", "medium term"),  # not "long" above
}


def concept_term(name: str) -> str:
    return CONCEPT_PREFIX + name


@lru_cache(maxsize=1)
def _variants() -> dict[tuple[str, ...], str]:
    """Each variant as its sequence of terms, mapped to its concept's term."""
    table: dict[tuple[str, ...], str] = {}
    for name, variants in GROUPS.items():
        for variant in variants:
            key = tuple(terms(variant))
            if not key or len(key) > LONGEST:
                raise ValueError(f"synonym {variant!r} in {name!r} has no searchable words")
            if table.setdefault(key, concept_term(name)) != concept_term(name):
                raise ValueError(f"synonym {variant!r} is in two groups")
    return table


@lru_cache(maxsize=1)
def _starts() -> dict[str, int]:
    """The first term of each variant, with the longest variant it begins."""
    starts: dict[str, int] = {}
    for key in _variants():
        starts[key[0]] = max(starts.get(key[0], 0), len(key))
    return starts


def concepts_of(term: str) -> str | None:
    """The concept a single term stands for, if any."""
    return _variants().get((term,))


def find_concepts(sequence: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, concept term) for each variant in a sequence of terms, longest first, no
    overlaps."""
    table, starts = _variants(), _starts()
    found = []
    at = 0
    while at < len(sequence):
        longest = starts.get(sequence[at])
        if longest is None:  # most words begin no variant: one lookup, not four
            at += 1
            continue
        for length in range(min(longest, len(sequence) - at), 0, -1):
            concept = table.get(tuple(sequence[at : at + length]))
            if concept is not None:
                found.append((at, at + length, concept))
                at += length
                break
        else:
            at += 1
    return found


@lru_cache(maxsize=1)
def _single_words() -> dict[str, str]:
    """One-word variants as written (folded), to forgive a typo in one ("grnats")."""
    return {
        fold(v): concept_term(name)
        for name, variants in GROUPS.items()
        for v in variants
        if " " not in v and len(v) >= 4
    }


@lru_cache(maxsize=4096)
def concept_near(word: str) -> str | None:
    """The concept of a one-word variant one typo from `word` (two for long words), if any."""
    if len(word) < 4:
        return None
    match = process.extractOne(
        fold(word),
        list(_single_words()),
        scorer=OSA.distance,
        processor=None,
        score_cutoff=1 if len(word) < 10 else 2,
    )
    return _single_words()[match[0]] if match else None


def variant_terms(concept: str) -> set[str]:
    """Every term any variant of a concept is made of (to show the words that matched)."""
    return {t for key, c in _variants().items() if c == concept for t in key}


def concept_terms_in(sequence: Iterable[str]) -> list[str]:
    """The concept terms a document's terms contain, once per occurrence."""
    return [concept for _, _, concept in find_concepts(list(sequence))]


SYNONYM_FACTOR = 0.85  # a match through the council vocabulary, not the word itself
PHRASE_PART = 0.5  # a document with one word of a phrase ("housing" for "housing association")


def question_units(vocabulary: Vocabulary, words: list[str]) -> list[tuple[Expansion, ...]]:
    """What each part of a question stands for: a phrase in the council vocabulary ("local
    strategic partnership") is one part, its concept; any other word is itself, its typos
    and prefixes, and the concept of any of those. An empty part matches nothing."""
    stems = [stem(w) for w in words]
    phrases = {start: (end, c) for start, end, c in find_concepts(stems) if end - start > 1}
    units: list[tuple[Expansion, ...]] = []
    at = 0
    while at < len(words):
        end, concept = phrases.get(at, (at + 1, ""))
        tid = vocabulary.term_ids.get(concept) if concept else None
        if tid is not None:  # the phrase, or failing that its words
            parts = {vocabulary.term_ids.get(t) for t in stems[at:end]}
            units.append(
                (Expansion(tid, 1.0),)
                + tuple(Expansion(p, PHRASE_PART) for p in parts if p is not None)
            )
            at = end
            continue
        expansions = vocabulary.expand(words[at])
        meant = [(stems[at], 1.0)]
        meant += [(vocabulary.terms[e.term_id], e.factor) for e in expansions]
        concepts: dict[str, float] = {}
        for term, factor in meant:
            other = concepts_of(term)
            if other is not None:
                concepts[other] = max(concepts.get(other, 0.0), factor)
        if not concepts and not expansions:  # a typo in a synonym ("grnats")
            other = concept_near(words[at])
            if other is not None:
                concepts[other] = TYPO_FACTORS[1]
        found = {
            ctid: factor * SYNONYM_FACTOR
            for other, factor in concepts.items()
            if (ctid := vocabulary.term_ids.get(other)) is not None
        }
        units.append(expansions + tuple(Expansion(t, f) for t, f in found.items()))
        at += 1
    return units


def spelled_out(term: str) -> str | None:
    """The longest way of saying the concept a term stands for ("lsp" → "local strategic
    partnership"), for reading a question's meaning; None when it stands for none."""
    concept = concepts_of(term)
    if concept is None:
        return None
    return max(GROUPS[concept.removeprefix(CONCEPT_PREFIX)], key=len)
