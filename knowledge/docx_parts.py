"""The parts a council's Word document is made of (python-docx): tables with a repeating,
announced header row and fixed column widths, pictures with alt text, and the page furniture
(a header with the title and protective marking, a footer with the date and "Page 2 of 9")."""

import io
import re
from decimal import Decimal
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

# characters XML cannot hold (a pasted form feed, say): python-docx would refuse the whole file
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
PAGE_WIDTH = 6.3  # inches between A4's margins, as Word sets them
TABLE_TEXT = Pt(9)


def clean(text: object) -> str:
    """Text as Word can hold it."""
    return _NOT_XML.sub(" ", str(text))


def money(value: Decimal | float | None) -> str:
    """£85,000 or £85,000.50; "not set" when there is none."""
    if value is None:
        return "not set"
    amount = Decimal(str(value))
    return f"£{amount:,.0f}" if amount == amount.to_integral_value() else f"£{amount:,.2f}"


def number(value: float | Decimal | None) -> str:
    """312, 312.5 or 1,250: no stray ".0"."""
    if value is None:
        return "not set"
    amount = float(value)
    if amount.is_integer():
        return f"{int(amount):,}"
    return f"{amount:,.2f}".rstrip("0").rstrip(".")


def table(
    document: Any, header: list[str] | None, rows: list[list[str]], widths: list[float]
) -> None:
    """A table whose columns keep their widths (inches, scaled to the page's), in 9 point, with
    a header row that screen readers announce and Word repeats on each page (`header` None: a
    table of label and value pairs, the first column bold, no header row)."""
    scale = PAGE_WIDTH / sum(widths)
    grid = document.add_table(rows=0, cols=len(widths))
    grid.style = "Table Grid"
    grid.autofit = False
    if header is not None:
        assert len(header) == len(widths)
        cells = grid.add_row().cells
        for cell, text in zip(cells, header, strict=True):
            run = cell.paragraphs[0].add_run(clean(text))
            run.bold, run.font.size = True, TABLE_TEXT
        properties = grid.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        properties.append(repeat)
    for values in rows:
        for number, (cell, text) in enumerate(zip(grid.add_row().cells, values, strict=True)):
            run = cell.paragraphs[0].add_run(clean(text))
            run.font.size = TABLE_TEXT
            run.bold = header is None and number == 0
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Inches(width * scale)
        for cell in column.cells:
            cell.width = Inches(width * scale)


def picture(document: Any, png: bytes, alt: str, name: str) -> None:
    """A picture with alt text (the drawing's description, which screen readers read)."""
    document.add_picture(io.BytesIO(png), width=Inches(PAGE_WIDTH))
    shape = document.inline_shapes[-1]
    properties = shape._inline.docPr
    properties.set("descr", clean(alt))
    properties.set("title", clean(name))


def _field(paragraph: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in as they lay out pages."""
    begin, code, separate, shown, end = (
        OxmlElement("w:fldChar"),
        OxmlElement("w:instrText"),
        OxmlElement("w:fldChar"),
        OxmlElement("w:t"),
        OxmlElement("w:fldChar"),
    )
    begin.set(qn("w:fldCharType"), "begin")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instruction} "
    separate.set(qn("w:fldCharType"), "separate")
    shown.text = "1"
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, code, separate, shown, end):
        run = paragraph.add_run()
        run._r.append(element)


def page_furniture(document: Any, *, title: str, marking: str, dated: str, draft: bool) -> None:
    """The header (protective marking, title, DRAFT while it is one) and the footer (the date
    and "Page n of m") on every page."""
    section = document.sections[0]
    head = section.header.paragraphs[0]
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    marked = head.add_run(clean(marking))
    marked.bold = True
    head.add_run(clean(f"  |  {title}"))
    if draft:
        mark = head.add_run("  |  DRAFT")
        mark.bold = True
        mark.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run(clean(f"{dated}  |  Page "))
    _field(foot, "PAGE")
    foot.add_run(" of ")
    _field(foot, "NUMPAGES")
    closing = section.footer.add_paragraph(clean(marking))
    closing.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for paragraph in (head, foot, closing):
        for run in paragraph.runs:
            run.font.size = Pt(9)
