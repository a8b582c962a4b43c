"""The committee report: one partnership, as a Word document (python-docx) in the shape UK
councils' democratic services templates share: a cover block (committee, date of meeting,
report of, contact officer, wards affected, for general release or not for publication, its
purpose), then the report summary, purpose, recommendations ("Members are asked to…"),
background, progress (what the register knows: knowledge/report_progress.py), the financial,
legal, risk, equalities and climate implications, and appendices. The officer writes what only
they can (knowledge/report_answers.py); every page carries the partnership's name and the
protective marking in its header, the date and "Page n of m" in its footer, and a draft says
DRAFT until the officer says it is final. Accessible: real headings, tables whose first row is a
repeating header, alt text on every picture."""

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from docx import Document
from docx.shared import RGBColor
from sqlmodel import Session

from knowledge import report_progress as progress_of
from knowledge.docx_parts import clean, money, page_furniture, table
from knowledge.register import standings
from knowledge.register_facts import kind_words
from knowledge.report_answers import IMPLICATIONS, PURPOSES, Answers
from storage.models import Partnership

NameOf = Callable[[str], str]
TO_COMPLETE = "[To be completed by the report author.]"
NONE_GIVEN = "None identified by the report author."
SECTIONS = (
    "Report summary",
    "Purpose",
    "Recommendations",
    "Background",
    "Progress",
    *IMPLICATIONS.values(),
    "Appendices",
)


@dataclass(frozen=True)
class Progress:
    """Called for each section as it is written, so a long report can show how far it has got."""

    done: int
    total: int
    section: str


def _facts(p: Partnership, name_of: NameOf) -> list[list[str]]:
    def when(value: date | None) -> str:
        return f"{value:%d %B %Y}" if value else "not set"

    return [
        ["Partners", ", ".join((p.partners or "").splitlines()) or "not set"],
        ["Lead officer", name_of(p.lead_id) if p.lead_id else "not set"],
        ["Channel", name_of(p.channel_id) if p.channel_id else "not set"],
        ["Type", kind_words(p)],
        ["Objective", p.objective or "not set"],
        ["Started", when(p.start_date)],
        ["Next review", when(p.next_review)],
        ["Ends", when(p.end_date)],
        ["Funding", money(p.funding_gbp)],
        ["Budget", money(p.budget_gbp)],
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


def _written(document: Any, text: str, answers: Answers, *, empty: str = TO_COMPLETE) -> None:
    """The officer's text, a paragraph each; when they wrote none, a reminder in a draft (in
    red, so it is not missed) or `NONE_GIVEN` in a final report."""
    paragraphs = [line.strip() for line in text.split("\n\n") if line.strip()]
    if paragraphs:
        for line in paragraphs:
            document.add_paragraph(clean(line))
        return
    shown = document.add_paragraph().add_run(NONE_GIVEN if answers.final else empty)
    if not answers.final:
        shown.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)


def _cover(document: Any, p: Partnership, answers: Answers, today: date) -> None:
    title = f"{p.name}: progress report"
    document.add_heading(clean(("DRAFT: " if not answers.final else "") + title), level=0)
    contact = answers.author or TO_COMPLETE
    if answers.author_email:
        contact += f" ({answers.author_email})"
    release = "For general release"
    if answers.not_for_publication:
        release = "Not for publication" + (
            f": {answers.exempt_reason}" if answers.exempt_reason else ""
        )
    rows = [
        ["Committee", answers.committee or TO_COMPLETE],
        [
            "Date of meeting",
            f"{answers.meeting_date:%d %B %Y}" if answers.meeting_date else TO_COMPLETE,
        ],
        ["Report of", answers.report_of or TO_COMPLETE],
        ["Contact officer", contact],
        ["Wards affected", answers.wards or "All wards"],
        ["Status", release],
        ["Purpose", PURPOSES[answers.purpose]],
        ["Protective marking", answers.marking],
        [
            "Prepared",
            f"{today:%d %B %Y}, from the partnership register"
            + ("" if answers.final else " (draft)"),
        ],
    ]
    table(document, None, rows, [1.8, 4.5])


def write_report(
    session: Session,
    partnership: Partnership,
    out: io.BytesIO | str,
    *,
    today: date,
    now: datetime,
    name_of: NameOf = str,
    answers: Answers | None = None,
    progress: Callable[[Progress], None] | None = None,
) -> None:
    """Write the committee report for one partnership to `out` (a path or a binary buffer)."""
    p, answers, document = partnership, answers or Answers(), Document()
    document.core_properties.title = clean(f"{p.name}: progress report")
    document.core_properties.author = clean(answers.author or "partnerbot")
    document.core_properties.keywords = answers.marking + ("" if answers.final else ", DRAFT")
    page_furniture(
        document,
        title=p.name,
        marking=answers.marking,
        dated=f"{today:%d %B %Y}",
        draft=not answers.final,
    )
    _cover(document, p, answers, today)
    [standing_now] = standings(session, [p], today=today)

    kind = "a partnership"
    if p.kind and p.kind != "other":
        words = kind_words(p)
        words = words if p.kind == "lsp" else words[0].lower() + words[1:]
        kind = ("an " if words[0] in "aeiouAEIOU" else "a ") + words

    def purpose() -> None:
        asked = {
            "decision": "decide on the recommendations below.",
            "discussion": "discuss.",
            "noting": "note.",
        }[answers.purpose]
        document.add_paragraph(
            clean(
                f"{PURPOSES[answers.purpose]}. This report sets out the progress of {p.name}, "
                f"{kind}, for members to {asked}"
            )
        )

    def recommendations() -> None:
        if not answers.recommendations:
            _written(document, "", answers)
            return
        document.add_paragraph("Members are asked to:")
        for line in answers.recommendations:
            document.add_paragraph(clean(line), style="List Number")

    def background() -> None:
        if answers.background or not answers.final:
            _written(document, answers.background, answers)
        lead = name_of(p.lead_id) if p.lead_id else "no lead officer yet"
        partners = ", ".join((p.partners or "").splitlines()) or "partners not yet recorded"
        started = f", started on {p.start_date:%d %B %Y}" if p.start_date else ""
        register = f"From the register: {p.name} is {kind} of {partners}, led by {lead}{started}."
        if p.objective:
            register += f" Its objective: {p.objective}"
        document.add_paragraph(clean(register + " Its facts are in Appendix A."))

    def progress_section() -> None:
        writers = (
            lambda: progress_of.governance(document, standing_now),
            lambda: progress_of.agreement(session, document, p, standing_now.agreement),
            lambda: progress_of.commitments(session, document, p, today, name_of),
            lambda: progress_of.reviews(session, document, p, name_of),
            lambda: progress_of.benefits(session, document, p, today, name_of),
            lambda: progress_of.health_section(session, document, p),
            lambda: progress_of.grid(session, document, p),
            lambda: progress_of.breakouts(session, document, p),
        )
        for number, (title, write) in enumerate(
            zip(progress_of.SUBSECTIONS, writers, strict=True), 1
        ):
            document.add_heading(f"5.{number} {title}", level=2)
            write()

    def appendices() -> None:
        document.add_paragraph("Appendix A: the partnership's facts, from the register.")
        for letter, line in zip("BCDEFGHIJK", answers.appendices, strict=False):
            document.add_paragraph(clean(f"Appendix {letter}: {line}"))
        document.add_heading("Appendix A: the partnership's facts", level=2)
        table(document, ["Fact", "Value"], _facts(p, name_of), [2.0, 4.3])

    writers: list[Callable[[], None]] = [
        lambda: _written(document, answers.summary, answers),
        purpose,
        recommendations,
        background,
        progress_section,
        *(
            lambda key=key: _written(document, getattr(answers, key), answers)
            for key in IMPLICATIONS
        ),
        appendices,
    ]
    for number, (title, write) in enumerate(zip(SECTIONS, writers, strict=True), start=1):
        document.add_heading(f"{number}. {title}", level=1)
        write()
        if progress:
            progress(Progress(number, len(SECTIONS), title))
    document.save(out)
