"""Performance management in the workbook: each project's latest scores and range, the benefits
tracker, and the health pulses (averages only for pulses closed with three or more answers,
as everywhere else)."""

from collections.abc import Callable
from datetime import date
from typing import Any

from openpyxl import Workbook
from sqlmodel import Session, col, select

from knowledge.benefits import benefits_of, standing
from knowledge.pulses import DIMENSIONS, result
from knowledge.scoring import latest_results
from knowledge.scoring_rules import CRITERIA
from knowledge.sheets import DATE, MONEY, STAMP, Column, add_sheet
from storage.models import Project, Pulse

SHEETS = ("Project scores", "Benefits", "Health pulses")


def add_performance_sheets(
    book: Workbook,
    session: Session,
    *,
    team_id: str,
    today: date,
    names: dict[int | None, str],
    done: Callable[[str, int], None],
    name_of: Callable[[str], str] = str,
) -> None:
    """Add the three sheets; `names` maps partnership ids to names, `done` is told each
    sheet's row count as it is written."""
    placed = latest_results(session, team_id=team_id)
    projects = session.exec(
        select(Project).where(Project.team_id == team_id).order_by(col(Project.name_key))
    )
    columns = [
        Column("Project", 30),
        Column("Partnership", 30),
        Column("Size", 9),
        Column("Status", 10),
        Column("Owner", 14),
        Column("Impact", 8),
        Column("Risk", 8),
        Column("Range", 18),
        Column("Scored by", 9),
    ]
    columns += [Column(f"{c.label} (median)", 16) for c in CRITERIA]
    rows = []
    for project in projects:
        found = placed.get(project.id or 0)
        row: list[Any] = [project.name, names.get(project.partnership_id), project.size]
        row.append(project.status)
        row.append(name_of(project.owner_id) if project.owner_id else None)
        if found is None:
            row += ["not scored yet"] + [None] * (3 + len(CRITERIA))
        else:
            scored, rules = found
            row += [round(scored.impact, 2), round(scored.risk, 2)]
            row += [rules.ranges[scored.range_index], scored.people]
            row += [scored.medians[c.key] for c in CRITERIA]
        rows.append(row)
    done("Project scores", add_sheet(book, "Project scores", columns, rows))

    projects_by_id = {
        p.id: p.name for p in session.exec(select(Project).where(Project.team_id == team_id))
    }
    benefits = benefits_of(session, team_id=team_id)
    done(
        "Benefits",
        add_sheet(
            book,
            "Benefits",
            [
                Column("Benefit", 40),
                Column("Of", 30),
                Column("Kind", 13),
                Column("Owner", 14),
                Column("Due", 12, DATE),
                Column("Planned (GBP)", 16, MONEY),
                Column("Realised (GBP)", 16, MONEY),
                Column("Measure", 30),
                Column("Baseline", 10),
                Column("Target", 10),
                Column("Latest", 10),
                Column("Narrative", 40),
                Column("Standing", 10),
                Column("RAG", 7),
                Column("RAG reason", 30),
                Column("Evidence", 30),
                Column("Evidence at", 17, STAMP),
            ],
            (
                [
                    b.title,
                    projects_by_id.get(b.project_id) or names.get(b.partnership_id),
                    b.kind.replace("_", "-"),
                    name_of(b.owner_id),
                    b.due,
                    b.planned_gbp,
                    b.realised_gbp,
                    b.measure,
                    b.baseline,
                    b.target,
                    b.latest,
                    b.narrative,
                    standing(b, today),
                    b.rag,
                    b.rag_reason,
                    b.evidence_link,
                    b.evidence_at,
                ]
                for b in benefits
            ),
        ),
    )

    pulses = session.exec(
        select(Pulse)
        .where(Pulse.team_id == team_id)
        .where(Pulse.status == "closed")
        .order_by(col(Pulse.closed_at), col(Pulse.id))
    )
    pulse_rows = []
    for pulse in pulses:
        found_pulse = result(session, pulse)
        line: list[Any] = [names.get(pulse.partnership_id), pulse.opened_at, pulse.closed_at]
        line.append(found_pulse.answered)
        if found_pulse.averages is None:
            line += [f"fewer than {found_pulse.minimum} answered: not shown"] + [None] * (
                len(DIMENSIONS) - 1
            )
        else:
            line += [found_pulse.averages[key] for key in DIMENSIONS]
        pulse_rows.append(line)
    pulse_columns = [
        Column("Partnership", 30),
        Column("Opened", 17, STAMP),
        Column("Closed", 17, STAMP),
        Column("Answers", 9),
    ]
    pulse_columns += [Column(label, 14) for label in DIMENSIONS.values()]
    done("Health pulses", add_sheet(book, "Health pulses", pulse_columns, pulse_rows))
