"""What makes the workbook a toolkit a council officer can work in: a Summary sheet first (the
register by type and status, reviews due, overdue commitments, benefits planned against realised,
with native Excel charts), the prioritisation matrix as a sheet, drop-downs (data validation) for
status, type, RAG and agreement items, and RAG colours by conditional formatting."""

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlmodel import Session, select

from knowledge.agreement import ITEMS, STATUSES
from knowledge.benefits import benefits_of
from knowledge.register import reviews_due
from knowledge.register_facts import KINDS, LSP_KINDS
from knowledge.scoring import latest_results
from knowledge.scoring_rules import rules_for
from knowledge.sheets import DATE, MONEY
from storage.models import Commitment, Partnership, Project

RAG_FILLS = {"red": "F4B6B6", "amber": "FCE4B6", "green": "C6E7C6"}
ROOM = 1000  # rows below the last one that drop-downs and colours still cover, for new rows
BOLD = Font(bold=True)
LISTS = {
    "Partnership status": ["open", "closed"],
    "Type": list(KINDS.values()),
    "LSP kind": list(LSP_KINDS.values()),
    "Yes or no": ["yes", "no"],
    "Agreement item": list(ITEMS.values()),
    "Agreement status": list(STATUSES.values()),
    "Commitment status": ["open", "done", "declined"],
    "RAG": ["green", "amber", "red"],
    "Benefit kind": ["financial", "non-financial"],
}
# (sheet, column title) → the list its drop-down offers
CHECKED = {
    ("Partnerships", "Status"): "Partnership status",
    ("Partnerships", "Type"): "Type",
    ("Partnerships", "LSP kind"): "LSP kind",
    ("Partnerships", "Significant"): "Yes or no",
    ("Agreement checklist", "Item"): "Agreement item",
    ("Agreement checklist", "Status"): "Agreement status",
    ("Commitments", "Status"): "Commitment status",
    ("Benefits", "RAG"): "RAG",
    ("Benefits", "Kind"): "Benefit kind",
}


def _heading(sheet: Any, text: str) -> None:
    sheet.append([])
    sheet.append([text])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)


def _header(sheet: Any, titles: list[str]) -> int:
    sheet.append(titles)
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    return sheet.max_row


def add_summary(book: Workbook, session: Session, *, team_id: str, today: date) -> int:
    """The Summary sheet, first in the book; how many partnerships it counts."""
    sheet = book.create_sheet("Summary", 0)
    sheet.append(["Summary"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["As at", today])
    sheet["B2"].number_format = DATE
    partnerships = list(session.exec(select(Partnership).where(Partnership.team_id == team_id)))

    _heading(sheet, "Partnerships by type and status")
    kinds = Counter((KINDS.get(p.kind or "", "Type not set"), p.status) for p in partnerships)
    first = _header(sheet, ["Type", "Open", "Closed", "Total"])
    for kind in sorted({k for k, _ in kinds}):
        open_, closed = kinds[(kind, "open")], kinds[(kind, "closed")]
        sheet.append([kind, open_, closed, open_ + closed])
    last = sheet.max_row
    sheet.append(
        [
            "All",
            *(sum(1 for p in partnerships if p.status == s) for s in ("open", "closed")),
            len(partnerships),
        ]
    )
    sheet.cell(sheet.max_row, 1).font = BOLD
    if last > first:
        chart = BarChart()
        chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
        chart.title, chart.y_axis.title = "Partnerships by type", "Partnerships"
        chart.add_data(
            Reference(sheet, min_col=2, max_col=3, min_row=first, max_row=last),
            titles_from_data=True,
        )
        chart.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=last))
        chart.width, chart.height = 16, 7
        sheet.add_chart(chart, "G4")

    _heading(sheet, "Reviews due within 30 days or overdue")
    _header(sheet, ["Partnership", "Next review", "Overdue"])
    due = reviews_due(session, team_id=team_id, today=today)
    for p in due:
        sheet.append(
            [p.name, p.next_review, "yes" if p.next_review and p.next_review < today else "no"]
        )
        sheet.cell(sheet.max_row, 2).number_format = DATE
    if not due:
        sheet.append(["None due."])

    _heading(sheet, "Commitments")
    commitments = list(session.exec(select(Commitment).where(Commitment.team_id == team_id)))
    overdue = [c for c in commitments if c.status == "open" and c.due_date < today]
    _header(sheet, ["Open", "Of which overdue", "Done", "Declined"])
    states = Counter(c.status for c in commitments)
    sheet.append([states["open"], len(overdue), states["done"], states["declined"]])
    names = {p.id: p.name for p in partnerships}
    if overdue:
        _header(sheet, ["Overdue commitment", "Partnership", "Due"])
        for c in sorted(overdue, key=lambda c: c.due_date):
            sheet.append([c.action, names.get(c.partnership_id, ""), c.due_date])
            sheet.cell(sheet.max_row, 3).number_format = DATE

    _heading(sheet, "Financial benefits: planned against realised (GBP)")
    projects = {
        p.id: p.name for p in session.exec(select(Project).where(Project.team_id == team_id))
    }
    totals: dict[str, list[Decimal]] = {}
    for b in benefits_of(session, team_id=team_id):
        if b.kind != "financial":
            continue
        of = projects.get(b.project_id) or names.get(b.partnership_id) or "Not linked"
        pair = totals.setdefault(of, [Decimal(0), Decimal(0)])
        pair[0] += b.planned_gbp or 0
        pair[1] += b.realised_gbp or 0
    first = _header(sheet, ["Of", "Planned", "Realised"])
    for of, (planned, realised) in sorted(totals.items()):
        sheet.append([of, planned, realised])
        for column in (2, 3):
            sheet.cell(sheet.max_row, column).number_format = MONEY
    if totals:
        chart = BarChart()
        chart.title, chart.y_axis.title = "Benefits planned against realised", "GBP"
        chart.add_data(
            Reference(sheet, min_col=2, max_col=3, min_row=first, max_row=sheet.max_row),
            titles_from_data=True,
        )
        chart.set_categories(Reference(sheet, min_col=1, min_row=first + 1, max_row=sheet.max_row))
        chart.width, chart.height = 16, 7
        sheet.add_chart(chart, f"G{first}")
    else:
        sheet.append(["No financial benefits planned yet."])
    for letter, width in zip("ABCD", (44, 14, 14, 12), strict=True):
        sheet.column_dimensions[letter].width = width
    return len(partnerships)


def add_matrix(book: Workbook, session: Session, *, team_id: str) -> int:
    """The prioritisation matrix: the four ranges as a two-by-two grid of project names, then
    each scored project's impact, risk and range; how many projects are placed."""
    sheet = book.create_sheet("Prioritisation matrix")
    rules = rules_for(session, team_id)
    placed = sorted(
        latest_results(session, team_id=team_id).values(),
        key=lambda found: (found[0].range_index, -found[0].impact),
    )
    t_i, t_r = rules.impact_threshold, rules.risk_threshold
    sheet.append(["Prioritisation matrix"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(
        [
            f"Impact {t_i:g} or more is high; risk {t_r:g} or more is high (the workspace's scoring rules)."
        ]
    )
    sheet.append([])
    _header(sheet, ["", f"Lower risk (under {t_r:g})", f"Higher risk ({t_r:g} or more)"])
    for label, indexes in (
        (f"Higher impact ({t_i:g} or more)", (0, 1)),
        (f"Lower impact (under {t_i:g})", (2, 3)),
    ):
        cells = []
        for index in indexes:
            names = [found.project.name for found, _ in placed if found.range_index == index]
            cells.append(rules.ranges[index] + ":\n" + ("\n".join(names) or "none"))
        sheet.append([label, *cells])
        sheet.cell(sheet.max_row, 1).font = BOLD
        sheet.row_dimensions[sheet.max_row].height = max(
            45, 15 * (1 + max(c.count("\n") for c in cells))
        )
    for row in sheet.iter_rows(min_row=5, max_row=6, min_col=2, max_col=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.append([])
    _header(sheet, ["Project", "Impact", "Risk", "Range"])
    for found, found_rules in placed:
        sheet.append(
            [
                found.project.name,
                round(found.impact, 2),
                round(found.risk, 2),
                found_rules.ranges[found.range_index],
            ]
        )
    for letter, width in zip("ABCD", (34, 32, 32, 18), strict=True):
        sheet.column_dimensions[letter].width = width
    return len(placed)


def _column(sheet: Any, title: str) -> str | None:
    for cell in sheet[1]:
        if cell.value == title:
            return get_column_letter(cell.column)
    return None


def add_lists_and_checks(book: Workbook) -> None:
    """Drop-downs from a hidden Lists sheet on the columns people choose from, and RAG colours."""
    lists = book.create_sheet("Lists")
    where: dict[str, str] = {}
    for number, (name, values) in enumerate(LISTS.items(), start=1):
        letter = get_column_letter(number)
        lists.cell(1, number, name).font = BOLD
        for row, value in enumerate(values, start=2):
            lists.cell(row, number, value)
        where[name] = f"Lists!${letter}$2:${letter}${len(values) + 1}"
    lists.sheet_state = "hidden"
    for (title, column_title), list_name in CHECKED.items():
        sheet = book[title]
        letter = _column(sheet, column_title)
        if letter is None:
            continue
        cells = f"{letter}2:{letter}{sheet.max_row + ROOM}"
        check = DataValidation(
            type="list",
            formula1=where[list_name],
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=column_title,
            error=f"Choose one of the {column_title.lower()} values in the list.",
        )
        check.add(cells)
        sheet.add_data_validation(check)
    benefits = book["Benefits"]
    rag = _column(benefits, "RAG")
    if rag:
        cells = f"{rag}2:{rag}{benefits.max_row + ROOM}"
        for value, colour in RAG_FILLS.items():
            fill = PatternFill(start_color=colour, end_color=colour, fill_type="solid")
            benefits.conditional_formatting.add(
                cells, CellIsRule(operator="equal", formula=[f'"{value}"'], fill=fill)
            )
    commitments = book["Commitments"]
    due, status = _column(commitments, "Due"), _column(commitments, "Status")
    if due and status:
        red = PatternFill(
            start_color=RAG_FILLS["red"], end_color=RAG_FILLS["red"], fill_type="solid"
        )
        overdue = FormulaRule(formula=[f'AND(${status}2="open",${due}2<TODAY())'], fill=red)
        commitments.conditional_formatting.add(
            f"A2:{get_column_letter(commitments.max_column)}{commitments.max_row + ROOM}", overdue
        )
    checklist = book["Agreement checklist"]
    state = _column(checklist, "Status")
    if state:
        cells = f"{state}2:{state}{checklist.max_row + ROOM}"
        for value, colour in (
            ("Agreed", "green"),
            ("In progress", "amber"),
            ("Not started", "red"),
        ):
            fill = PatternFill(
                start_color=RAG_FILLS[colour], end_color=RAG_FILLS[colour], fill_type="solid"
            )
            checklist.conditional_formatting.add(
                cells, CellIsRule(operator="equal", formula=[f'"{value}"'], fill=fill)
            )
