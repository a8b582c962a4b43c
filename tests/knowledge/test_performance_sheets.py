"""Performance management in the export workbook: project scores with their range, the benefits
tracker, and health pulses whose averages appear only from three answers up."""

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from openpyxl import load_workbook

from knowledge.benefits import Planned, add_benefit
from knowledge.partnerships import add_partnership
from knowledge.projects import add_project
from knowledge.pulses import DIMENSIONS, answer, close_pulse, start_pulse
from knowledge.scoring import close_round, record_scores, start_round
from knowledge.workbook import SHEETS, write_workbook
from tests.conftest import TEST_KEYRING

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
T = "T0SHELL"


def rows_of(sheet):
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]


def test_scores_benefits_and_pulses_are_sheets_of_the_workbook(session):
    retrofit = add_partnership(
        session, team_id=T, name="Retrofit", channel_id="C0R", actor_id="U0ALEX", now=NOW
    )
    loft = add_project(
        session, team_id=T, name="Loft insulation", actor_id="U0ALEX", now=NOW,
        partnership_id=retrofit.id, size="major",
    )  # fmt: skip
    add_project(session, team_id=T, name="=HYPERLINK(evil)", actor_id="U0ALEX", now=NOW)
    scoring = start_round(
        session, team_id=T, channel_id="C0R", facilitator_id="U0ALEX", projects=[loft],
        invited=["U0SAM", "U0PRIYA", "U0JO"], now=NOW,
    )  # fmt: skip
    for user, fit in (("U0SAM", 5), ("U0PRIYA", 3), ("U0JO", 4)):
        scores = {"fit": fit, "reach": 4, "statutory": 3, "complexity": 4, "delivery": 4}
        scores |= {"failure": 4, "resources": 4}
        record_scores(session, scoring, user_id=user, scores={loft.id: scores}, now=NOW)
    close_round(session, scoring, actor_id="U0ALEX", now=NOW)
    planned = Planned(
        kind="financial", title="Lower bills", owner_id="U0SAM", due=date(2027, 3, 31),
        planned_gbp=Decimal("50000"),
    )  # fmt: skip
    add_benefit(
        session, team_id=T, planned=planned, actor_id="U0ALEX", now=NOW,
        owner_tz="Europe/London", project_id=loft.id,
    )  # fmt: skip
    for size, when in ((2, NOW), (3, NOW + timedelta(days=10))):
        pulse = start_pulse(
            session, retrofit, members=[f"U{n}" for n in range(size)], opened_by=None, now=when,
            minimum=3,  # a workspace that set its minimum to three
        )  # fmt: skip
        for n in range(size):
            answer(session, T, pulse.id, user_id=f"U{n}", keyring=TEST_KEYRING, comment=None, now=when,
                   ratings={d: 2 + n for d in DIMENSIONS})  # fmt: skip
        close_pulse(session, pulse, now=when + timedelta(days=7), by=None)

    out = io.BytesIO()
    people = {"U0SAM": "Sam Okafor", "U0ALEX": "Alex Morgan"}
    counts = write_workbook(
        session, out, team_id=T, workspace="Shell", now=NOW, name_of=lambda u: people.get(u, u)
    )
    book = load_workbook(io.BytesIO(out.getvalue()))
    # the Summary first, then the cover; the lists the drop-downs offer, hidden, last
    assert book.sheetnames == [SHEETS[0], "About", *SHEETS[1:], "Lists"]
    assert book["Lists"].sheet_state == "hidden"
    assert SHEETS[-4:] == ("Project scores", "Benefits", "Health pulses", "Prioritisation matrix")
    assert (counts["Project scores"], counts["Benefits"], counts["Health pulses"]) == (2, 1, 2)
    assert counts["Prioritisation matrix"] == 1
    [benefit] = rows_of(book["Benefits"])
    assert benefit["Owner"] == "Sam Okafor"  # names, not Slack IDs
    # drop-downs for what people choose from, and RAG colours by conditional formatting
    checks = {
        (title, str(v.sqref).split(":")[0]): v.formula1
        for title in ("Partnerships", "Commitments", "Benefits", "Agreement checklist")
        for v in book[title].data_validations.dataValidation
    }
    header = [c.value for c in book["Benefits"][1]]
    rag = chr(ord("A") + header.index("RAG"))
    assert checks[("Benefits", f"{rag}2")] == "Lists!$H$2:$H$4"
    assert [c.value for c in book["Lists"]["H"] if c.value] == ["RAG", "green", "amber", "red"]
    partnership_header = [c.value for c in book["Partnerships"][1]]
    kind = chr(ord("A") + partnership_header.index("Type"))
    assert checks[("Partnerships", f"{kind}2")] == "Lists!$B$2:$B$8"
    assert {t for t, _ in checks} == {
        "Partnerships",
        "Commitments",
        "Benefits",
        "Agreement checklist",
    }
    colours = book["Benefits"].conditional_formatting
    rules = [r for ranges in colours for r in ranges.rules]
    assert sorted(r.formula[0] for r in rules) == ['"amber"', '"green"', '"red"']
    assert all(r.dxf.fill is not None for r in rules)
    overdue = [r for ranges in book["Commitments"].conditional_formatting for r in ranges.rules]
    assert "TODAY()" in overdue[0].formula[0]
    # the Summary: counts and a native Excel chart
    summary = book["Summary"]
    cells = [[c.value for c in row] for row in summary.iter_rows(max_col=4)]
    assert ["All", 1, 0, 1] in cells
    assert ["Loft insulation", 50000, 0, None] in cells
    assert len(summary._charts) == 2  # partnerships by type; benefits planned against realised
    # the matrix: the project in its range's quadrant
    matrix = [[c.value for c in row] for row in book["Prioritisation matrix"].iter_rows()]
    assert any(
        row[2] and "Plan and resource" in row[2] and "Loft insulation" in row[2] for row in matrix
    )
    scores = book["Project scores"]
    assert scores.freeze_panes == "A2" and scores.auto_filter.ref == "A1:P3"
    first, second = rows_of(scores)
    assert (first["Project"], first["Impact"], first["Risk"], first["Range"]) == (
        "=HYPERLINK(evil)",
        "not scored yet",
        None,
        None,
    )
    assert scores["A2"].data_type == "s"  # a name typed like a formula stays text
    # fit's median of 5, 3 and 4 is 4, so impact (4+4+3)/3 = 3.67 and risk 4: high and high
    assert (second["Impact"], second["Risk"], second["Range"], second["Scored by"]) == (
        3.67,
        4.0,
        "Plan and resource",
        3,
    )
    assert second["Fit with the council's priorities (median)"] == 4.0
    [benefit] = rows_of(book["Benefits"])
    assert (benefit["Of"], benefit["Standing"]) == ("Loft insulation", "on track")
    assert book["Benefits"]["F2"].number_format == '"£"#,##0.00'
    held, shown = rows_of(book["Health pulses"])
    assert held["Answers"] == 2 and held["Shared goals"] == "fewer than 3 answered: not shown"
    assert held["Trust"] is None
    assert shown["Answers"] == 3 and shown["Trust"] == 3.0
