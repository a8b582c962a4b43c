"""The committee report: one partnership, as a Word document a lead officer can take to
committee (python-docx). Its facts and governance, agreement progress, commitments, benefits
planned against realised, the health trend, the latest prioritisation grid and the themes of
recent breakouts. Accessible: real headings, tables whose first row is a repeating header,
alt text on every picture; honest: red and amber shown as they are, and what is missing said."""

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches
from sqlmodel import Session, col, select

from knowledge.agreement import ITEMS, STATUSES, checklist
from knowledge.benefits import benefits_of, standing
from knowledge.breakout import summary
from knowledge.charts import Point, grid_alt_text, grid_png, trend_alt_text, trend_png
from knowledge.commitments import owners_of
from knowledge.pulses import DIMENSIONS, health, overall, trend_points
from knowledge.register import standings
from knowledge.register_facts import kind_words
from knowledge.scoring import latest_results
from knowledge.scoring_rules import rules_for
from storage.models import BreakoutRound, Commitment, Partnership

NameOf = Callable[[str], str]
DONE_SHOWN, BREAKOUTS_SHOWN = 20, 3
# characters XML cannot hold (a pasted form feed, say): python-docx would refuse the whole file
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Progress:
    """Called for each section as it is written, so a long report can show how far it has got."""

    done: int
    total: int
    section: str


SECTIONS = (
    "The partnership",
    "Governance",
    "Partnership agreement",
    "Commitments",
    "Benefits",
    "Health",
    "Prioritisation",
    "Themes from recent breakouts",
)


def clean(text: object) -> str:
    """Text as Word can hold it."""
    return _NOT_XML.sub(" ", str(text))


def _table(document: Any, header: list[str], rows: list[list[str]]) -> None:
    """A table with a header row that screen readers announce and Word repeats on each page."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(clean(text)).bold = True
    properties = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)
    for values in rows:
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = clean(text)


def _picture(document: Any, png: bytes, alt: str, name: str) -> None:
    """A picture with alt text (the drawing's description, which screen readers read)."""
    document.add_picture(io.BytesIO(png), width=Inches(6))
    shape = document.inline_shapes[-1]
    properties = shape._inline.docPr
    properties.set("descr", clean(alt))
    properties.set("title", clean(name))


def _money(value: object) -> str:
    return f"£{value:,.2f}" if value is not None else "not set"


def _facts(p: Partnership, name_of: NameOf) -> list[list[str]]:
    return [
        ["Partners", ", ".join((p.partners or "").splitlines()) or "not set"],
        ["Lead officer", name_of(p.lead_id) if p.lead_id else "not set"],
        ["Type", kind_words(p)],
        ["Objective", p.objective or "not set"],
        ["Started", f"{p.start_date:%d %B %Y}" if p.start_date else "not set"],
        ["Next review", f"{p.next_review:%d %B %Y}" if p.next_review else "not set"],
        ["Ends", f"{p.end_date:%d %B %Y}" if p.end_date else "not set"],
        ["Funding", _money(p.funding_gbp)],
        ["Budget", _money(p.budget_gbp)],
        ["Liabilities", p.liabilities or "not set"],
        ["Risk register reference", p.risk_ref or "not set"],
        ["Reporting arrangements", p.reporting or "not set"],
        ["Significant partnership", "yes" if p.significant else "no"],
        [
            "Status",
            "closed" + (f": {p.exit_note}" if p.exit_note else "")
            if p.status != "open"
            else "open",
        ],
    ]


def write_report(
    session: Session,
    partnership: Partnership,
    out: io.BytesIO | str,
    *,
    today: date,
    now: datetime,
    name_of: NameOf = str,
    progress: Callable[[Progress], None] | None = None,
) -> None:
    """Write the committee report for one partnership to `out` (a path or a binary buffer)."""
    p, document = partnership, Document()
    document.core_properties.title = clean(f"Committee report: {p.name}")
    document.core_properties.author = "partnerbot"
    document.add_heading(clean(f"Committee report: {p.name}"), level=0)
    document.add_paragraph(f"Prepared on {today:%d %B %Y} from the partnership register.")
    [standing_now] = standings(session, [p], today=today)
    writers = (
        lambda: _table(document, ["Fact", "Value"], _facts(p, name_of)),
        lambda: _governance(document, standing_now.missing),
        lambda: _agreement(session, document, p, standing_now.agreement),
        lambda: _commitments(session, document, p, today, name_of),
        lambda: _benefits(session, document, p, today, name_of),
        lambda: _health(session, document, p),
        lambda: _grid(session, document, p),
        lambda: _breakouts(session, document, p),
    )
    for number, (title, write) in enumerate(zip(SECTIONS, writers, strict=True), start=1):
        document.add_heading(title, level=1)
        write()
        if progress:
            progress(Progress(number, len(SECTIONS), title))
    document.save(out)


def _governance(document: Any, missing: list[str]) -> None:
    if not missing:
        document.add_paragraph(
            "Governance is complete: a lead officer, an agreed partnership agreement, a review "
            "date, a risk register reference, reporting arrangements and an exit date."
        )
        return
    document.add_paragraph("Governance is not complete. Missing:")
    for item in missing:
        document.add_paragraph(clean(item), style="List Bullet")


def _agreement(session: Session, document: Any, p: Partnership, agreed: str) -> None:
    document.add_paragraph(f"The partnership agreement: {agreed} of what it should answer.")
    rows = [
        [
            ITEMS[key],
            STATUSES[row.status] if row else "Not started",
            (row.note or "") if row else "",
        ]
        for key, row in checklist(session, p)
    ]
    _table(document, ["Item", "Status", "Note"], rows)


def _commitments(
    session: Session, document: Any, p: Partnership, today: date, name_of: NameOf
) -> None:
    found = list(
        session.exec(
            select(Commitment)
            .where(Commitment.team_id == p.team_id)
            .where(Commitment.partnership_id == p.id)
            .where(col(Commitment.status).in_(["open", "done"]))
            .order_by(col(Commitment.due_date), col(Commitment.id))
        )
    )
    open_ = [c for c in found if c.status == "open"]
    overdue = [c for c in open_ if c.due_date < today]
    done = [c for c in found if c.status == "done"]
    document.add_paragraph(f"{len(done)} done, {len(open_)} open, of which {len(overdue)} overdue.")
    if not found:
        return

    def row(c: Commitment) -> list[str]:
        owners = ", ".join(name_of(o.user_id) for o in owners_of(session, c.id or 0))
        state = "done" if c.status == "done" else "overdue" if c.due_date < today else "open"
        return [c.action, owners, f"{c.due_date:%d %b %Y}", state]

    shown = open_ + done[-DONE_SHOWN:]
    _table(document, ["Commitment", "Owners", "Due", "Status"], [row(c) for c in shown])


def _benefits(
    session: Session, document: Any, p: Partnership, today: date, name_of: NameOf
) -> None:
    found = benefits_of(session, team_id=p.team_id, partnership_id=p.id)
    if not found:
        document.add_paragraph("No benefits have been planned for this partnership yet.")
        return
    planned = sum((b.planned_gbp or 0) for b in found if b.kind == "financial")
    realised = sum((b.realised_gbp or 0) for b in found if b.kind == "financial")
    document.add_paragraph(
        f"Financial benefits: {_money(realised)} realised of {_money(planned)} planned."
    )

    def row(b: Any) -> list[str]:
        if b.kind == "financial":
            what = f"{_money(b.realised_gbp)} of {_money(b.planned_gbp)}"
        elif b.measure:
            what = f"{b.measure}: {b.latest if b.latest is not None else b.baseline} (target {b.target})"
        else:
            what = b.narrative or ""
        rag = (b.rag or "").upper() + (f" ({b.rag_reason})" if b.rag_reason else "")
        return [b.title, name_of(b.owner_id), what, f"{b.due:%d %b %Y}", standing(b, today), rag]

    header = ["Benefit", "Owner", "Realised against planned", "Due", "Standing", "RAG"]
    _table(document, header, [row(b) for b in found])


def _health(session: Session, document: Any, p: Partnership) -> None:
    found = health(session, p)
    latest = found.trend[-1] if found.trend else None
    if latest is None or latest.averages is None:
        document.add_paragraph(
            "No health pulse has closed with enough answers to show yet, so there is "
            "nothing to show: fewer answers are never shown, to keep them anonymous."
        )
        return
    points = trend_points(found)
    title = f"Health of {p.name}"
    document.add_paragraph(
        f"Latest pulse: {latest.answered} anonymous answers, overall "
        f"{overall(latest.averages):.1f} out of 5."
    )
    _table(
        document,
        ["Part", "Average (1 to 5)"],
        [[label, f"{latest.averages[key]:.1f}"] for key, label in DIMENSIONS.items()],
    )
    png = trend_png(points, names=DIMENSIONS, title=title)
    if png is not None:
        _picture(document, png, trend_alt_text(points, names=DIMENSIONS, title=title), title)


def _grid(session: Session, document: Any, p: Partnership) -> None:
    placed = [
        (found, rules)
        for found, rules in latest_results(session, team_id=p.team_id).values()
        if found.project.partnership_id == p.id
    ]
    if not placed:
        document.add_paragraph("None of this partnership's projects has been scored yet.")
        return
    rules = rules_for(session, p.team_id)
    points = [
        Point(f.project.name, f.impact, f.risk, f.project.size == "major", f.range_index)
        for f, _ in placed
    ]
    _table(
        document,
        ["Project", "Impact", "Risk", "Range"],
        [
            [f.project.name, f"{f.impact:.1f}", f"{f.risk:.1f}", r.ranges[f.range_index]]
            for f, r in sorted(placed, key=lambda fr: (fr[0].range_index, -fr[0].impact))
        ],
    )
    png = grid_png(
        points,
        ranges=rules.ranges,
        impact_threshold=rules.impact_threshold,
        risk_threshold=rules.risk_threshold,
        title="Projects by impact and risk",
    )
    if png is not None:
        _picture(document, png, grid_alt_text(points, rules.ranges), "Prioritisation grid")


def _breakouts(session: Session, document: Any, p: Partnership) -> None:
    rounds = (
        list(
            session.exec(
                select(BreakoutRound)
                .where(BreakoutRound.team_id == p.team_id)
                .where(BreakoutRound.channel_id == p.channel_id)
                .where(BreakoutRound.status == "closed")
                .order_by(col(BreakoutRound.closed_at).desc(), col(BreakoutRound.id).desc())
                .limit(BREAKOUTS_SHOWN)
            )
        )
        if p.channel_id
        else []
    )
    if not rounds:
        document.add_paragraph("No breakouts have been run in the partnership's channel yet.")
        return
    for round_ in rounds:
        when = f" ({round_.closed_at:%d %b %Y})" if round_.closed_at else ""
        document.add_heading(clean(round_.title + when), level=2)
        rows = []
        for question, themes, held in summary(session, round_):
            named = "; ".join(f"{t.name} ({t.count})" for t in themes.themes) or "no themes"
            if held:
                named += f"; {held} anonymous answer(s) held back (too few answered)"
            rows.append([question, named])
        _table(document, ["Question", "Themes (answers)"], rows)
