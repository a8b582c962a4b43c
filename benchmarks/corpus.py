"""Benchmark corpora: the curated library plus synthetic council entries as distractors.

The distractors read like other councils' notes (highways, waste, leisure, procurement…), share
much of the library's vocabulary ("partnership", "budget", "contractors"), and carry place and
people names, so the vocabulary grows with the corpus as a real one does. Seeded: every run
builds the same corpus.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from knowledge.library import load_library

# the deployment key every benchmark process shares (PARTNERBOT_SECRET_KEY)
BENCH_KEY = "benchmark-only-key-" + "b" * 40

SUBJECTS = """highways team, waste service, leisure trust, library service, planning officers,
parks volunteers, housing repairs team, social care commissioners, procurement board, finance
business partners, IT supplier, school governors, community centre, youth service, events team,
town centre partnership, business improvement district, coroner's office, registrars, CCTV
partners, allotment society, flood resilience group, bus operator, museum trust, crematorium,
markets team, licensing committee, neighbourhood forum, tenants association, health visitors,
police neighbourhood team, fire safety officers, voluntary sector network, sports clubs,
cycling charity, food bank, credit union, job centre, college, university""".replace("\n", " ")
VERBS = """agreed, delayed, reviewed, funded, cancelled, piloted, extended, procured, consulted on,
redesigned, audited, scoped, handed over, relaunched, merged, outsourced, brought back in house,
mapped, benchmarked, evaluated, paused, trialled, costed, scheduled, reported on""".replace(
    "\n", " "
)
OBJECTS = """the gritting routes, the bin collection round, the summer events programme, the
library opening hours, the local plan consultation, the play area refurbishment, the CCTV
upgrade, the street lighting contract, the pothole backlog, the grounds maintenance contract,
the budget for next year, the contractors' framework, the partnership board terms, the
volunteer rota, the website redesign, the parking charges review, the tree planting scheme,
the market stall fees, the day centre transport, the school crossing patrols, the recycling
campaign, the customer contact centre, the data sharing protocol, the risk register, the
annual report, the performance dashboard, the staff survey, the grant scheme, the
apprenticeship scheme, the office move""".replace("\n", " ")
TAILS = """after feedback from residents, because costs rose sharply, following a complaint,
ahead of the elections, with help from a neighbouring council, once the supplier confirmed
dates, after the scrutiny committee asked questions, when the funding came through late,
because the contract ended, to meet the new statutory duty, after a pilot in two wards, once
members signed it off, because the team was short staffed, after the storm damage, with the
partnership's agreement, while the director was away, to save money over three years""".replace(
    "\n", " "
)
NOTES = [
    "Minutes are on the shared drive.",
    "Next review is in the spring.",
    "Contact the service lead for details.",
    "The budget line is tight this year.",
    "Members were broadly supportive.",
    "The contractors asked for more notice next time.",
    "Partners want a clearer timetable.",
    "Residents' feedback was mixed.",
    "We will report progress to the board quarterly.",
    "Risks are logged on the register.",
]
SYLLABLES = [
    "ash",
    "bur",
    "kel",
    "worth",
    "ham",
    "ley",
    "ford",
    "mar",
    "ton",
    "wick",
    "den",
    "brook",
    "hol",
    "stead",
    "field",
    "by",
    "thorpe",
    "well",
    "combe",
    "mere",
    "dal",
    "gate",
    "pen",
    "ros",
    "tre",
    "vin",
    "sel",
    "quin",
    "ober",
    "lan",
]


@dataclass(frozen=True)
class Item:
    """One document of a benchmark corpus (a library slug, or a distractor's number)."""

    key: str
    kind: str
    title: str
    tags: tuple[str, ...]
    body: str
    created: datetime


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def build_corpus(size: int, seed: int = 2026) -> list[Item]:
    """The library plus `size - len(library)` distractors."""
    rng = random.Random(seed)
    subjects, verbs, objects, tails = (
        _split(SUBJECTS),
        _split(VERBS),
        _split(OBJECTS),
        _split(TAILS),
    )
    names = [
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        for _ in range(max(200, size // 3))
    ]
    start = datetime(2023, 1, 1, tzinfo=UTC)
    items = [
        # as the index sees a library entry: its guidance, our tip and its citation
        Item(
            e.slug,
            "library",
            e.title,
            tuple(e.tags.split()),
            f"{e.body}\n{e.tip or ''}\n{e.source}",
            start,
        )
        for e in load_library()
    ]
    for number in range(max(0, size - len(items))):
        place, person = rng.choice(names), rng.choice(names)
        sentences = []
        for _ in range(rng.randint(2, 5)):
            sentences.append(
                f"The {rng.choice(subjects)} in {place} {rng.choice(verbs)} "
                f"{rng.choice(objects)} {rng.choice(tails)}."
            )
        sentences.append(rng.choice(NOTES))
        sentences.append(f"Ask {person} for the {rng.choice(['papers', 'contacts', 'figures'])}.")
        subject = rng.choice(subjects)
        items.append(
            Item(
                key=f"d{number}",
                kind=rng.choice(["lesson", "brief"]),
                title=f"{place} {subject}: {rng.choice(objects).removeprefix('the ')}",
                tags=tuple(
                    rng.sample(
                        [
                            "highways",
                            "waste",
                            "leisure",
                            "budget",
                            "procurement",
                            "community",
                            "partnership",
                            "contracts",
                            "risk",
                            place.lower(),
                        ],
                        2,
                    )
                ),
                body=" ".join(sentences),
                created=start + timedelta(days=rng.randint(0, 1000)),
            )
        )
    rng.shuffle(items)
    return items
