"""The committee report, opened with python-docx: real headings, tables whose first row is a
header, alt text on every picture, and each section saying what the register holds (or that
there is nothing yet, rather than an empty table or axis)."""

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn

from knowledge.benefits import Planned, add_benefit, update_benefit
from knowledge.breakout import Plan, add_answer
from knowledge.breakout import close_round as close_breakout
from knowledge.breakout import start_round as start_breakout
from knowledge.commitments import Owner, close, record_commitment
from knowledge.partnerships import add_partnership
from knowledge.projects import add_project
from knowledge.pulses import DIMENSIONS, answer, close_pulse, start_pulse
from knowledge.register_facts import Facts
from knowledge.report import SECTIONS, clean, write_report
from knowledge.scoring import close_round, record_scores, start_round
from tests.conftest import TEST_KEYRING

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
T, CHANNEL = "T0SHELL", "C0RETRO"
NAMES = {"U0ALEX": "Alex Morgan", "U0SAM": "Sam Okafor", "U0PRIYA": "Priya Shah"}


def headings(document):
    return [
        (p.style.name, p.text)
        for p in document.paragraphs
        if p.style.name.startswith("Heading") or p.style.name == "Title"
    ]


def header_rows(document):
    return [
        t.rows[0]._tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
        for t in document.tables
    ]


def pictures(document):
    return [
        (s._inline.docPr.get("title"), s._inline.docPr.get("descr")) for s in document.inline_shapes
    ]


def write(session, partnership, **kw):
    out = io.BytesIO()
    write_report(session, partnership, out, today=TODAY, now=NOW, **kw)
    return Document(io.BytesIO(out.getvalue()))


@pytest.fixture
def partnership(session):
    facts = Facts(
        partners=["Hull Housing", "Green Homes CIC"],
        lead_id="U0ALEX",
        objective="Warm homes for 400 households",
        channel_id=CHANNEL,
        next_review=date(2026, 12, 9),
        funding_gbp=Decimal("125000.50"),
    )
    return add_partnership(
        session,
        team_id=T,
        name="Retrofit Partnership",
        channel_id=CHANNEL,
        actor_id="U0ALEX",
        now=NOW,
        facts=facts,
    )


def test_an_empty_partnership_says_what_is_missing_instead_of_drawing_nothing(session, partnership):
    document = write(session, partnership)
    assert headings(document) == [("Title", "Committee report: Retrofit Partnership")] + [
        ("Heading 1", title) for title in SECTIONS
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Governance is not complete" in text and "exit date" in text
    assert "0 done, 0 open, of which 0 overdue." in text
    assert "No benefits have been planned" in text
    assert "No health pulse has closed with enough answers to show yet" in text
    assert "None of this partnership's projects has been scored yet." in text
    assert "No breakouts have been run" in text
    assert pictures(document) == []
    assert all(header_rows(document)) and len(document.tables) == 2  # facts and agreement
    facts = {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows[1:]}
    assert facts["Objective"] == "Warm homes for 400 households"
    assert clean("a pasted\x0cform feed\x00") == "a pasted form feed "  # Word can't hold them
    assert facts["Funding"] == "£125,000.50" and facts["Lead officer"] == "U0ALEX"


def test_every_section_of_a_busy_partnership(session, partnership):
    pid = partnership.id
    sam = [Owner("U0SAM", "Europe/London")]
    late = record_commitment(
        session, team_id=T, created_by="U0ALEX", creator_tz="Europe/London", channel_id=CHANNEL,
        owners=sam, action="Share the supply-chain map", due=date(2026, 11, 2), now=NOW - timedelta(days=30),
        partnership_id=pid,
    )  # fmt: skip
    done = record_commitment(
        session, team_id=T, created_by="U0ALEX", creator_tz="Europe/London", channel_id=CHANNEL,
        owners=[Owner("U0PRIYA", "Europe/London")], action="Book the venue", due=date(2026, 12, 1),
        now=NOW - timedelta(days=20), partnership_id=pid,
    )  # fmt: skip
    close(session, done, status="done", actor_id="U0PRIYA", now=NOW - timedelta(days=2))
    assert late.status == "open"
    planned = Planned(
        kind="financial",
        title="Lower heating bills",
        owner_id="U0SAM",
        due=date(2027, 3, 31),
        planned_gbp=Decimal("50000"),
    )
    benefit = add_benefit(
        session, team_id=T, planned=planned, actor_id="U0ALEX", now=NOW,
        owner_tz="Europe/London", partnership_id=pid,
    )  # fmt: skip
    update_benefit(
        session, benefit, actor_id="U0SAM", now=NOW, realised_gbp=Decimal("12500"),
        latest=None, narrative=None, rag="amber", reason=None, evidence_link=None,
    )  # fmt: skip
    pulse = start_pulse(
        session, partnership, members=["U1", "U2", "U3"], opened_by="U0ALEX", now=NOW, minimum=3
    )
    for user, value in (("U1", 2), ("U2", 3), ("U3", 4)):
        answer(session, T, pulse.id, user_id=user, keyring=TEST_KEYRING, comment=None, now=NOW,
               ratings={d: value for d in DIMENSIONS})  # fmt: skip
    close_pulse(session, pulse, now=NOW + timedelta(days=7), by=None)
    loft = add_project(
        session, team_id=T, name="Loft insulation", actor_id="U0ALEX", now=NOW,
        partnership_id=pid, size="major",
    )  # fmt: skip
    scoring = start_round(
        session, team_id=T, channel_id=CHANNEL, facilitator_id="U0ALEX", projects=[loft],
        invited=["U0SAM", "U0PRIYA", "U0JO"], now=NOW,
    )  # fmt: skip
    scores = {"fit": 5, "reach": 4, "statutory": 3, "complexity": 2, "delivery": 2}
    scores |= {"failure": 2, "resources": 2}
    for scorer in ("U0SAM", "U0PRIYA", "U0JO"):  # medians show from three scorers
        record_scores(session, scoring, user_id=scorer, scores={loft.id: scores}, now=NOW)
    close_round(session, scoring, actor_id="U0ALEX", now=NOW)
    plan = Plan("What gets in the way", ("What gets in the way?",), None, None)
    round_, _ = start_breakout(
        session, team_id=T, channel_id=CHANNEL, facilitator_id="U0ALEX", plan=plan, now=NOW
    )
    for text, who in (
        ("Slow sign-off by cabinet", "U0SAM"),
        ("Cabinet sign-off is slow", "U0PRIYA"),
        ("Sign-off delays from cabinet", "U0ALEX"),
    ):
        add_answer(session, round_, number=0, text=text, person_id=who, anonymous=False,
                   keyring=TEST_KEYRING, now=NOW)  # fmt: skip
    close_breakout(session, round_, actor_id="U0ALEX", now=NOW)

    document = write(session, partnership, name_of=lambda u: NAMES.get(u, u))
    assert [h for h in headings(document) if h[0] == "Heading 1"] == [
        ("Heading 1", t) for t in SECTIONS
    ]
    assert ("Heading 2", "What gets in the way (23 Nov 2026)") in headings(document)
    assert all(header_rows(document))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "1 done, 1 open, of which 1 overdue." in text
    tables = {t.rows[0].cells[0].text: t for t in document.tables}
    commitments = [[c.text for c in r.cells] for r in tables["Commitment"].rows[1:]]
    assert commitments == [
        ["Share the supply-chain map", "Sam Okafor", "02 Nov 2026", "overdue"],
        ["Book the venue", "Priya Shah", "01 Dec 2026", "done"],
    ]
    assert "Financial benefits: £12,500.00 realised of £50,000.00 planned." in text
    [benefit_row] = [[c.text for c in r.cells] for r in tables["Benefit"].rows[1:]]
    assert benefit_row[:2] == ["Lower heating bills", "Sam Okafor"] and benefit_row[5] == "AMBER"
    assert "Latest pulse: 3 anonymous answers, overall 3.0 out of 5." in text
    health = {r.cells[0].text: r.cells[1].text for r in tables["Part"].rows[1:]}
    assert health["Trust"] == "3.0" and len(health) == 7
    [grid_row] = [[c.text for c in r.cells] for r in tables["Project"].rows[1:]]
    assert grid_row == ["Loft insulation", "4.0", "2.0", "Do now"]
    [themes] = [[c.text for c in r.cells] for r in tables["Question"].rows[1:]]
    assert themes[0] == "What gets in the way?" and "(3)" in themes[1]
    # both pictures carry alt text that says what they show
    [(trend_title, trend_alt), (grid_title, grid_alt)] = pictures(document)
    assert trend_title == "Health of Retrofit Partnership" and "Trust 3.0" in trend_alt
    assert grid_title == "Prioritisation grid" and "Do now: Loft insulation" in grid_alt
