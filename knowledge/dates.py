"""Due dates as people write them: "12 Dec", "2026-12-12", "friday", "next tuesday",
"in 2 weeks", "end of month", read in the writer's own time zone."""

import calendar
import re
from datetime import date, datetime, timedelta

import dateparser

MAX_AHEAD = timedelta(days=2 * 366)  # further than two years is a typo, not a plan
# the longest date anyone writes ("the last working day of next month") is well under this;
# dateparser takes seconds over a page of text, so nothing longer is given to it
DATE_MAX = 80
EXAMPLES = "like `12 Dec`, `2026-12-12`, `friday`, `next tuesday`, `in 2 weeks` or `end of month`"
JUST_PASSED = timedelta(days=90)
_YEAR = re.compile(r"\b\d{4}\b|'\d{2}\b")
# a calendar date (a month named, or 2/12): not "in 11 months", "next tuesday" or "friday"
_CALENDAR = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b|\b\d{1,2}[/.-]\d{1,2}\b"
)
_END_OF = re.compile(r"^(?:the\s+)?end\s+of\s+(?:the\s+)?(this\s+|next\s+)?(week|month)$")


class DueDateError(ValueError):
    """A due date that cannot be used; the message says why, with examples."""


def _end_of(match: re.Match[str], today: date) -> date:
    later = bool(match[1] and match[1].strip() == "next")
    if match[2] == "week":  # the working week ends on Friday
        friday = today + timedelta(days=(4 - today.weekday()) % 7)
        return friday + timedelta(days=7) if later else friday
    year, month = today.year, today.month + (1 if later else 0)
    if month == 13:
        year, month = year + 1, 1
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_due(text: str, today: date) -> date:
    """The date meant, relative to `today` (the writer's local date). Refuses past dates,
    dates more than two years ahead, and anything that is not a date."""
    cleaned = " ".join(text.casefold().split()).strip(" .")
    if not cleaned:
        raise DueDateError(f"When is it due? Give a date {EXAMPLES}.")
    if len(cleaned) > DATE_MAX:
        raise DueDateError(f"That is too long to be a date. Give one {EXAMPLES}.")
    end = _END_OF.match(cleaned)
    if end:
        due = _end_of(end, today)
    else:
        parsed = dateparser.parse(
            cleaned,
            languages=["en"],
            settings={
                "PREFER_DATES_FROM": "future",
                "DATE_ORDER": "DMY",
                "RELATIVE_BASE": datetime.combine(today, datetime.min.time()),
                "RETURN_AS_TIMEZONE_AWARE": False,
            },
        )
        if parsed is None:
            raise DueDateError(f"I can't read “{text.strip()[:40]}” as a date. Try one {EXAMPLES}.")
        due = parsed.date()
    if due < today:
        raise DueDateError(
            f"{due:%a %d %b %Y} has already passed. Give a date from today on, {EXAMPLES}."
        )
    passed = _just_passed(cleaned, due, today)
    if passed is not None:
        raise DueDateError(
            f"{passed:%a %d %b %Y} has just passed. If you meant next year, say so: "
            f"“{passed.day} {passed:%b} {due.year}”; else give a date from today on."
        )
    if due - today > MAX_AHEAD:
        raise DueDateError(
            f"{due:%d %b %Y} is more than two years away. Give a nearer date, {EXAMPLES}."
        )
    return due


def _just_passed(cleaned: str, due: date, today: date) -> date | None:
    """This year's date, when a day and month with no year ("2 Dec", typed on 3 Dec) were
    read as next year's only because this year's has just gone by (within JUST_PASSED)."""
    if _YEAR.search(cleaned) or not _CALENDAR.search(cleaned) or due.year == today.year:
        return None
    try:
        this_year = due.replace(year=due.year - 1)
    except ValueError:  # 29 February
        return None
    return this_year if timedelta(0) < today - this_year <= JUST_PASSED else None


def parse_date(text: str, today: date) -> date:
    """Any date a register holds (a start date may be years ago): ISO first, else as people
    write them, day before month. A DueDateError says what could not be read."""
    cleaned = " ".join(str(text).split()).strip(" .")
    try:
        return date.fromisoformat(cleaned[:10])
    except ValueError:
        pass
    if len(cleaned) > DATE_MAX:
        raise DueDateError(f"“{cleaned[:40]}…” is too long to be a date.")
    parsed = dateparser.parse(
        cleaned,
        languages=["en"],
        settings={
            "DATE_ORDER": "DMY",
            "RELATIVE_BASE": datetime.combine(today, datetime.min.time()),
            "RETURN_AS_TIMEZONE_AWARE": False,
        },
    )
    if not cleaned or parsed is None:
        raise DueDateError(f"I can't read “{cleaned[:40]}” as a date. Try `2027-03-31`.")
    return parsed.date()
