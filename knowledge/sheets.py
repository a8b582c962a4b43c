"""How a workbook sheet is laid out for a committee: a bold frozen header row, an autofilter,
real dates and GBP number formats, wide text wrapped, and nothing typed ever run as a formula."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

DATE, MONEY, STAMP = "DD/MM/YYYY", '"£"#,##0.00', "DD/MM/YYYY HH:MM"
WIDEST = 60  # characters: longer cells wrap


@dataclass(frozen=True)
class Column:
    title: str
    width: int = 14
    number_format: str | None = None


def add_sheet(
    book: Workbook, title: str, columns: Iterable[Column], rows: Iterable[list[Any]]
) -> int:
    """Add a sheet of `rows` under a header of `columns`; how many rows it holds."""
    sheet = book.create_sheet(title)
    columns = list(columns)
    sheet.append([c.title for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    count = 0
    for row in rows:
        sheet.append([cell_value(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # what someone typed, kept as text: never a formula
        count += 1
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = min(column.width, WIDEST)
        if column.number_format or column.width >= 40:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                if column.number_format:
                    cell.number_format = column.number_format
                if column.width >= 40:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return count


def cell_value(value: Any) -> Any:
    """A value as Excel keeps it."""
    # Excel keeps no time zones: instants are written as UTC wall-clock times.
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value
