"""Moving a council's spreadsheet register in: the workbook's Partnerships sheet (or a CSV of
it) read back, every row checked before any is stored, all or nothing, with line numbers."""

import csv
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlmodel import Session

from knowledge.dates import DueDateError, parse_date
from knowledge.directory import name_id
from knowledge.importer import IMPORT_ACTOR, ImportProblem
from knowledge.names import name_key
from knowledge.partnerships import PartnershipError, add_partnership, close_partnership
from knowledge.register_facts import KINDS, LSP_KINDS, FactError, Facts, money, split_partners
from knowledge.workbook import PARTNERSHIP_COLUMNS

TITLES = {c.title.casefold(): c.title for c in PARTNERSHIP_COLUMNS}
MAX_ROWS = 10_000


def is_register(path: Path) -> bool:
    """A workbook, or a CSV whose first column is the register's "Name"."""
    if path.suffix.lower() == ".xlsx":
        return True
    if path.suffix.lower() != ".csv":
        return False
    with path.open(encoding="utf-8-sig", newline="") as handle:
        first = next(csv.reader(handle), [])
    return bool(first) and first[0].strip().casefold() == "name"


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    if path.suffix.lower() == ".xlsx":
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a file that isn't a workbook
            raise ImportProblem(f"line 1: not an Excel workbook ({error})") from None
        if "Partnerships" not in book.sheetnames:
            raise ImportProblem("line 1: the workbook has no sheet called Partnerships")
        rows: Iterator[tuple[Any, ...]] = book["Partnerships"].iter_rows(values_only=True)
    else:
        handle = path.open(encoding="utf-8-sig", newline="")
        rows = (tuple(r) for r in csv.reader(handle))
    header = [str(h or "").strip() for h in next(rows, ())]
    while header and not header[-1]:
        header.pop()
    unknown = [h for h in header if h.casefold() not in TITLES]
    if unknown:
        raise ImportProblem(
            f"line 1: unknown column “{unknown[0][:40]}”; the columns are those of the "
            "Partnerships sheet of `partnerbot export`"
        )
    if "name" not in (h.casefold() for h in header):
        raise ImportProblem("line 1: a Name column is needed")
    for number, row in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            raise ImportProblem(f"line {number}: at most {MAX_ROWS} partnerships at a time")
        cells = list(row)
        if any(v not in (None, "") for v in cells[len(header) :]):
            raise ImportProblem(f"line {number}: more cells than the {len(header)} columns")
        record = {TITLES[h.casefold()]: v for h, v in zip(header, cells, strict=False)}
        if all(v in (None, "") for v in record.values()):
            continue  # a blank line
        yield number, record


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value).strip() or None


def _choice(value: Any, choices: dict[str, str], what: str, line: int) -> str | None:
    text = _text(value)
    if text is None:
        return None
    for key, label in choices.items():
        if text.casefold() in (key, label.casefold(), label.split(" (")[0].casefold()):
            return key
    raise ImportProblem(
        f"line {line}: {what} “{text[:40]}” is not one of {', '.join(choices.values())}"
    )


def _date(value: Any, column: str, line: int, today: date) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return parse_date(str(value), today)
    except DueDateError:
        raise ImportProblem(f"line {line}: {column} “{str(value)[:30]}” is not a date") from None


IdOf = Callable[[str], str | None]


def _slack_id(
    record: dict[str, Any], column: str, prefixes: str, line: int, id_of: IdOf
) -> str | None:
    """The ID in `column` ID (as export writes it), else `column` itself: an ID, or a name the
    workspace's directory knows ("Sam Okafor", "#retrofit")."""
    given = _text(record.get(f"{column} ID"))
    if given:
        return given
    shown = _text(record.get(column))
    if shown is None or (shown[:1] in prefixes and shown[1:].isalnum() and shown.isupper()):
        return shown
    found = id_of(shown)
    if found is None:
        raise ImportProblem(
            f"line {line}: {column} “{shown[:40]}” is not a name partnerbot knows: give their "
            f"Slack ID in a “{column} ID” column"
        )
    return found


def _row(
    line: int, record: dict[str, Any], today: date, id_of: IdOf = lambda name: None
) -> tuple[str, str, Facts]:
    name = _text(record.get("Name")) or ""
    status = (_text(record.get("Status")) or "open").casefold()
    if status not in ("open", "closed"):
        raise ImportProblem(f"line {line}: Status is open or closed, not “{status[:20]}”")
    try:
        facts = Facts(
            partners=split_partners(_text(record.get("Partners")) or ""),
            lead_id=_slack_id(record, "Lead officer", "UW", line, id_of),
            kind=_choice(record.get("Type"), KINDS, "Type", line),
            lsp_kind=_choice(record.get("LSP kind"), LSP_KINDS, "LSP kind", line),
            objective=_text(record.get("Objective")),
            channel_id=_slack_id(record, "Channel", "CG", line, id_of),
            start_date=_date(record.get("Start date"), "Start date", line, today),
            next_review=_date(record.get("Next review"), "Next review", line, today),
            end_date=_date(record.get("End or exit date"), "End or exit date", line, today),
            funding_gbp=money(record.get("Funding (GBP)"), "funding_gbp"),
            budget_gbp=money(record.get("Budget (GBP)"), "budget_gbp"),
            liabilities=_text(record.get("Liabilities")),
            risk_ref=_text(record.get("Risk register reference")),
            reporting=_text(record.get("Reporting arrangements")),
            significant=(_text(record.get("Significant")) or "no").casefold()
            in ("yes", "y", "true", "1"),
        )
    except FactError as error:
        raise ImportProblem(f"line {line}: {error}") from None
    if facts.channel_id and facts.channel_id[:1] not in ("C", "G"):
        raise ImportProblem(f"line {line}: Channel must be a channel ID like C0123ABCD")
    return name, status, facts


def import_register(
    session: Session, *, team_id: str, path: Path, now: datetime, timezone: str
) -> int:
    """Add every partnership in the file to the workspace, or none: the first problem (a bad
    cell, a name already registered or repeated in the file) is raised as an ImportProblem
    naming its line, and nothing is stored."""
    today = now.date()
    seen: dict[str, int] = {}
    count = 0
    try:
        for line, record in _records(path):
            name, status, facts = _row(
                line, record, today, lambda shown: name_id(session, team_id, shown)
            )
            key = name_key(name)
            if key in seen:
                raise ImportProblem(f"line {line}: “{name[:40]}” is also on line {seen[key]}")
            seen[key] = line
            try:
                added = add_partnership(
                    session,
                    team_id=team_id,
                    name=name,
                    channel_id=facts.channel_id,
                    actor_id=IMPORT_ACTOR,
                    now=now,
                    facts=facts,
                    lead_tz=timezone,
                    commit=False,
                )
                if status == "closed":
                    close_partnership(
                        session,
                        added,
                        end_date=facts.end_date or today,
                        note="Closed before it was imported.",
                        actor_id=IMPORT_ACTOR,
                        now=now,
                        commit=False,
                    )
            except PartnershipError as error:
                raise ImportProblem(f"line {line}: {error}") from None
            count += 1
    except ImportProblem:
        session.rollback()
        raise
    session.commit()
    return count
