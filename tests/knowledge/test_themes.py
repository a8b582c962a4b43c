"""Themes from real-looking breakout answers, written from the seeds' own discussion."""

from knowledge.themes import find_themes

TOPICS = {
    "trust": [
        "Trust between partners has to come first",
        "Without trust nothing else works",
        "Partners who don't trust each other hold back information",
        "Building trust takes time and honesty",
        "Trust grows when each partner delivers what they promised",
        "We lost trust when the contractor missed deadlines",
    ],
    "communication": [
        "Regular communication between all partners",
        "Poor communication derails everything",
        "Communication channels agreed at the start",
        "Communication gets patchy when staff change",
        "Keep communication open and transparent with residents",
    ],
    "silos": [
        "Council departments working in silos",
        "Silos between housing and planning teams",
        "Breaking down silos needs a director to champion it",
        "Internal silos slow every decision",
        "Silos mean nobody owns the whole retrofit journey",
    ],
    "funding": [
        "Funding timescales are far too short",
        "Short funding windows leave no time to build relationships",
        "Funding rules change every round",
        "Funding deadlines force rushed procurement",
        "Stop-start funding makes contractors wary",
    ],
    "skills": [
        "Skills shortages in the building trades",
        "Not enough retrofit skills among local contractors",
        "Skills leave when officers move on",
        "Training providers can close the skills gap",
        "Skills in the council for assessing retrofit quality",
    ],
    "goals": [
        "Clear shared goals agreed by everyone",
        "Goals that all partners signed up to",
        "Mutually agreed goals and outcomes",
        "When goals differ the partnership drifts",
    ],
    "leadership": [
        "Strong political leadership",
        "Leadership from the top of the council",
        "Operational leadership that keeps momentum",
        "Visible leadership backing the partnership",
    ],
}
ODD = [
    "The room was too cold",
    "Could we get the slides afterwards?",
    "Biscuits were excellent",
    "My camera kept freezing",
    "Weather delayed two site visits",
    "Parking at the depot is impossible",
]


def theme_of(themes, answer):
    return next((t for t in themes.themes if answer in t.answers), None)


def test_answers_about_the_same_thing_land_in_one_theme():
    answers = [a for group in TOPICS.values() for a in group] + ODD
    assert len(answers) >= 40
    themes = find_themes(answers)
    assert 4 <= len(themes.themes) <= 7
    for topic, group in TOPICS.items():
        homes = [theme_of(themes, a) for a in group]
        main = max(set(homes), key=lambda t: homes.count(t) if t else -1)
        assert main is not None, topic
        assert homes.count(main) >= len(group) - 1, (topic, [t.name if t else None for t in homes])


def test_unrelated_answers_are_not_themed_together():
    themes = find_themes([a for group in TOPICS.values() for a in group] + ODD)
    for odd in ODD:
        home = theme_of(themes, odd)
        assert home is None or sum(1 for a in home.answers if a in ODD) <= 2
    trust, silos = theme_of(themes, TOPICS["trust"][0]), theme_of(themes, TOPICS["silos"][0])
    assert trust is not silos


def test_a_theme_is_named_by_a_phrase_of_its_most_central_answer_and_shows_its_count():
    themes = find_themes(TOPICS["silos"] + TOPICS["funding"])
    for theme in themes.themes:
        # the answer's own words, in order: a phrase a facilitator can read out
        assert theme.name.removesuffix("…") in theme.answers[0]
        assert "," not in theme.name or theme.name in theme.answers
    assert any("silos" in t.name.lower() for t in themes.themes)
    assert any("funding" in t.name.lower() for t in themes.themes)
    assert sum(t.count for t in themes.themes) + len(themes.unthemed) == 10


def test_a_long_central_answer_is_named_by_its_phrase_with_the_shared_words():
    answers = [
        "When we finally met them, in the second year and after a lot of chasing, the "
        "contractors said the funding windows were far too short to plan any real work",
        "Funding windows too short for contractors",
        "Short funding windows put contractors off",
    ]
    [theme] = find_themes(answers).themes
    assert len(theme.name.removesuffix("…").split()) <= 8
    assert "funding" in theme.name.lower() or "contractors" in theme.name.lower()


QUESTION = "What stops board papers being read before the meeting?"
ECHOING = {
    "late": [
        "Board papers arrive too late to read before the meeting",
        "Late board papers mean nobody has read them",
    ],
    "long": [
        "Board papers are far too long to read",
        "The papers run to two hundred pages, too long for anyone",
        "Long papers with no summary stop people reading",
    ],
    "jargon": [
        "Jargon in the board papers puts members off reading",
        "Papers full of acronyms and jargon",
        "Too much jargon, nobody understands the papers",
    ],
}


def test_the_questions_own_words_do_not_make_a_theme():
    answers = [a for group in ECHOING.values() for a in group]
    # without the question, its words join everything into one theme
    assert len(find_themes(answers).themes) == 1
    themes = find_themes(answers, question=QUESTION)
    assert len(themes.themes) == 3
    for topic, group in ECHOING.items():
        homes = {theme_of(themes, a) for a in group}
        assert len(homes) == 1 and None not in homes, topic
        assert topic in next(iter(homes)).name.lower(), topic


def test_answers_alike_in_meaning_but_not_in_words_are_one_theme():
    answers = [
        "The budget has gone",
        "No funding left for next year",
        "Residents were never asked",
        "Local people had no say",
    ]
    themes = find_themes(answers, question="What got in the way?")
    assert theme_of(themes, answers[0]) is theme_of(themes, answers[1]) is not None
    assert theme_of(themes, answers[2]) is theme_of(themes, answers[3]) is not None
    assert theme_of(themes, answers[0]) is not theme_of(themes, answers[2])


def test_few_or_no_answers():
    assert find_themes([]).themes == ()
    one = find_themes(["Only one answer here"])
    assert one.themes == () and one.unthemed == ("Only one answer here",)


def test_the_same_answers_in_any_order_make_the_same_themes():
    import random

    answers = [a for group in TOPICS.values() for a in group] + ODD
    first = find_themes(answers)
    for seed in range(5):
        shuffled = answers[:]
        random.Random(seed).shuffle(shuffled)
        again = find_themes(shuffled)
        assert [(t.name, sorted(t.answers)) for t in again.themes] == [
            (t.name, sorted(t.answers)) for t in first.themes
        ]
