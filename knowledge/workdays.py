"""Working days and working hours: weekends and UK bank holidays are not working days, and a
nudge arrives at 09:30 in the recipient's own time zone, right across daylight-saving changes."""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

NUDGE_TIME = time(9, 30)
DAY_ENDS = time(17, 30)


@lru_cache(maxsize=64)
def _bank_holidays(region: str, year: int) -> frozenset[date]:
    import holidays  # 60 ms of calendars: only when a date is worked out, not for a search

    return frozenset(holidays.country_holidays("GB", subdiv=region, years=year))


def is_working_day(day: date, region: str = "ENG") -> bool:
    """Monday to Friday, and not a bank holiday in the region."""
    return day.weekday() < 5 and day not in _bank_holidays(region, day.year)


def next_working_day(day: date, region: str = "ENG") -> date:
    """This day if it is a working day, else the next one."""
    while not is_working_day(day, region):
        day += timedelta(days=1)
    return day


def previous_working_day(day: date, region: str = "ENG") -> date:
    """This day if it is a working day, else the one before."""
    while not is_working_day(day, region):
        day -= timedelta(days=1)
    return day


def add_working_days(day: date, count: int, region: str = "ENG") -> date:
    """`count` working days after (or, negative, before) `day`."""
    step = 1 if count >= 0 else -1
    for _ in range(abs(count)):
        day += timedelta(days=step)
        while not is_working_day(day, region):
            day += timedelta(days=step)
    return day


def zone(name: str | None, default: str = "Europe/London") -> ZoneInfo:
    """The time zone called `name`, or the default when it is unknown or missing."""
    try:
        return ZoneInfo(name or default)
    except (KeyError, ValueError):
        return ZoneInfo(default)


def nudge_instant(day: date, tz: str) -> datetime:
    """09:30 on that day where the recipient is, as a UTC instant."""
    return datetime.combine(day, NUDGE_TIME, tzinfo=zone(tz)).astimezone(UTC)


def local_today(now: datetime, tz: str) -> date:
    return now.astimezone(zone(tz)).date()


def in_working_hours(now: datetime, tz: str, region: str = "ENG") -> bool:
    """Whether `now` is a working day between 09:30 and 17:30 where the recipient is."""
    local = now.astimezone(zone(tz))
    return is_working_day(local.date(), region) and NUDGE_TIME <= local.time() < DAY_ENDS


def next_nudge_instant(now: datetime, tz: str, region: str = "ENG") -> datetime:
    """Now, if it is working hours where the recipient is; else the next 09:30 working day."""
    if in_working_hours(now, tz, region):
        return now
    local = now.astimezone(zone(tz))
    day = local.date() if local.time() < NUDGE_TIME else local.date() + timedelta(days=1)
    return nudge_instant(next_working_day(day, region), tz)
