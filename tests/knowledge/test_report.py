"""The committee report, opened with python-docx: real headings, tables whose first row is a
header, alt text on every picture, and each section saying what the register holds (or that
there is nothing yet, rather than an empty table or axis)."""

import io
import os
import re
import shutil
import subprocess
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
from knowledge.docx_parts import clean
from knowledge.partnerships import add_partnership
from knowledge.projects import add_project
from knowledge.pulses import DIMENSIONS, answer, close_pulse, start_pulse
from knowledge.register_facts import Facts
from knowledge.report import SECTIONS, write_report
from knowledge.report_answers import Answers
from knowledge.reviews import record_review
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
    """Whether each table but the cover (label and value pairs) has a repeating header row."""
    return [
        t.rows[0]._tr.find(qn("w:trPr")) is not None
        and t.rows[0]._tr.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
        for t in document.tables[1:]
    ]


def pictures(document):
    return [
        (s._inline.docPr.get("title"), s._inline.docPr.get("descr")) for s in document.inline_shapes
    ]


NUMBERED = [f"{n}. {title}" for n, title in enumerate(SECTIONS, 1)]


def table_of(document, first):
    return next(t for t in document.tables if t.rows[0].cells[0].text == first)


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
    titles = headings(document)
    assert titles[0] == ("Title", "DRAFT: Retrofit Partnership: progress report")
    assert [t for style, t in titles if style == "Heading 1"] == NUMBERED
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Governance is not complete" in text and "exit date" in text
    assert "0 done, 0 open (of which 0 overdue) and 0 declined." in text
    assert (
        "No review of the partnership has been recorded yet. The next is due on 09 December 2026."
        in text
    )
    assert "No benefits have been planned" in text
    assert "No health pulse has closed with enough answers to show yet" in text
    assert "None of this partnership's projects has been scored yet." in text
    assert "No breakouts have been run" in text
    # what only the officer can write is asked for, in a draft, rather than left blank
    assert text.count("[To be completed by the report author.]") >= 8
    assert pictures(document) == []
    assert all(header_rows(document)) and len(document.tables) == 3  # cover, agreement, facts
    facts = {r.cells[0].text: r.cells[1].text for r in table_of(document, "Fact").rows[1:]}
    assert facts["Objective"] == "Warm homes for 400 households"
    assert clean("a pasted\x0cform feed\x00") == "a pasted form feed "  # Word can't hold them
    assert facts["Funding"] == "£125,000.50" and facts["Lead officer"] == "U0ALEX"


def test_the_cover_the_officers_answers_and_the_page_furniture(session, partnership):
    answers = Answers(
        committee="Partnerships Scrutiny Committee",
        meeting_date=date(2027, 1, 14),
        report_of="Director of Housing",
        author="Alex Morgan",
        author_email="alex.morgan@hull.gov.uk",
        wards="Orchard Park; Bransholme East",
        purpose="decision",
        summary="The partnership is on track.\n\nTwo risks need members' attention.",
        recommendations=["Note the progress made", "Agree the revised exit date"],
        financial="Within the approved budget.",
        climate="Cuts carbon from 400 homes.",
        appendices=["Supply-chain map"],
        marking="OFFICIAL-SENSITIVE",
        final=True,
    )
    names = {"U0ALEX": "Alex Morgan", CHANNEL: "#retrofit"}
    document = write(session, partnership, answers=answers, name_of=lambda u: names.get(u, u))
    assert headings(document)[0] == ("Title", "Retrofit Partnership: progress report")
    cover = {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows}
    assert cover["Committee"] == "Partnerships Scrutiny Committee"
    assert cover["Date of meeting"] == "14 January 2027"
    assert cover["Contact officer"] == "Alex Morgan (alex.morgan@hull.gov.uk)"
    assert cover["Wards affected"] == "Orchard Park; Bransholme East"
    assert cover["Status"] == "For general release" and cover["Purpose"] == "For decision"
    text = [p.text for p in document.paragraphs]
    at = text.index("Members are asked to:")
    assert text[at + 1 : at + 3] == ["Note the progress made", "Agree the revised exit date"]
    assert document.paragraphs[at + 1].style.name == "List Number"
    assert "Two risks need members' attention." in text
    assert "Within the approved budget." in text and "Cuts carbon from 400 homes." in text
    assert text.count("None identified by the report author.") == 3  # legal, risk, equalities
    assert "Appendix B: Supply-chain map" in text
    assert not any("To be completed" in line for line in text)
    facts = {r.cells[0].text: r.cells[1].text for r in table_of(document, "Fact").rows[1:]}
    assert facts["Lead officer"] == "Alex Morgan" and facts["Channel"] == "#retrofit"
    header = document.sections[0].header.paragraphs[0].text
    assert header == "OFFICIAL-SENSITIVE  |  Retrofit Partnership"  # final: no DRAFT
    footer = document.sections[0].footer._element.xml
    assert "23 November 2026  |  Page " in document.sections[0].footer.paragraphs[0].text
    assert " PAGE " in footer and " NUMPAGES " in footer  # Word and LibreOffice number the pages
    draft = write(session, partnership, answers=answers.model_copy(update={"final": False}))
    assert draft.sections[0].header.paragraphs[0].text.endswith("|  DRAFT")
    assert headings(draft)[0][1].startswith("DRAFT: ")


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
    refused = record_commitment(
        session, team_id=T, created_by="U0ALEX", creator_tz="Europe/London", channel_id=CHANNEL,
        owners=sam, action="Fund a second surveyor", due=date(2026, 12, 20),
        now=NOW - timedelta(days=10), partnership_id=pid,
    )  # fmt: skip
    close(session, refused, status="declined", actor_id="U0SAM", now=NOW - timedelta(days=1),
          note="No budget left this year")  # fmt: skip
    record_review(
        session, partnership, reviewed_on=date(2026, 11, 20),
        outcome="8% behind trajectory; the installer shortage is the cause.",
        next_review=date(2027, 2, 20), actor_id="U0ALEX", lead_tz="Europe/London", now=NOW,
    )  # fmt: skip
    planned = Planned(
        kind="financial",
        title="Lower heating bills",
        owner_id="U0SAM",
        due=date(2027, 3, 31),
        planned_gbp=Decimal("85000"),
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
    assert [t for style, t in headings(document) if style == "Heading 1"] == NUMBERED
    assert ("Heading 3", "What gets in the way (23 Nov 2026)") in headings(document)
    assert ("Heading 2", "5.4 Reviews") in headings(document)
    assert all(header_rows(document))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "1 done, 1 open (of which 1 overdue) and 1 declined." in text
    tables = {t.rows[0].cells[0].text: t for t in document.tables}
    commitments = [[c.text for c in r.cells] for r in tables["Commitment"].rows[1:]]
    assert commitments == [
        ["Share the supply-chain map", "Sam Okafor", "02 Nov 2026", "overdue"],
        [
            "Fund a second surveyor",
            "Sam Okafor",
            "20 Dec 2026",
            "declined: No budget left this year",
        ],
        ["Book the venue", "Priya Shah", "01 Dec 2026", "done"],
    ]
    [review] = [[c.text for c in r.cells] for r in tables["Reviewed on"].rows[1:]]
    assert review == [
        "20 Nov 2026",
        "8% behind trajectory; the installer shortage is the cause.",
        "20 Feb 2027",
        "Alex Morgan",
    ]
    assert "Financial benefits: £12,500 realised of £85,000 planned." in text
    [benefit_row] = [[c.text for c in r.cells] for r in tables["Benefit"].rows[1:]]
    assert benefit_row[:3] == ["Lower heating bills", "Sam Okafor", "£12,500 of £85,000"]
    assert benefit_row[5] == "AMBER" and len(benefit_row) == 7
    # the columns keep their widths: nothing is squeezed until "£85,000" breaks
    widths = [c.width for c in tables["Benefit"].columns]
    assert all(w is not None and w > 0 for w in widths) and widths[2] >= widths[1]
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


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed here")
def test_libreoffice_opens_the_report_and_numbers_its_pages(session, partnership, tmp_path):
    """Converted to PDF by LibreOffice (as an officer's machine would open it): it opens, and
    its pages are laid out with the PAGE and NUMPAGES fields filled in."""
    path = tmp_path / "report.docx"
    write_report(session, partnership, str(path), today=TODAY, now=NOW)
    done = subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2
