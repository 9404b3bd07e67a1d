"""A weekly working-hours schedule (ranges, holidays, IANA time zone) and its parsing from settings."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS: tuple[str, ...] = (
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
)
MINUTES_PER_DAY = 24 * 60
MAX_LOOKAHEAD_DAYS = 400
NO_OPENING_TEXT = "soon"
NEXT_OPEN_PLACEHOLDER = "{next_open}"

_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RANGE_KEYS = ("start", "end")


class ScheduleError(ValueError):
    """Invalid working-hours input; `problems` lists every (field path, message) found."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems: list[tuple[str, str]] = list(problems)
        details = "; ".join(f"{path}: {message}" for path, message in self.problems)
        super().__init__(f"invalid working hours: {details}")


@dataclass(frozen=True)
class TimeRange:
    """Local wall-clock range [start, end) in minutes after the midnight of the day it belongs to.

    end_minute may exceed 1440 for an overnight range: monday 22:00-06:00 is (1320, 1800).
    00:00-24:00 is (0, 1440).
    """

    start_minute: int
    end_minute: int

    def __post_init__(self) -> None:
        same_day = 0 <= self.start_minute < self.end_minute <= MINUTES_PER_DAY
        overnight = MINUTES_PER_DAY < self.end_minute < self.start_minute + MINUTES_PER_DAY
        if not (same_day or overnight):
            raise ValueError(f"invalid time range minutes: {self.start_minute}-{self.end_minute}")

    @property
    def overnight(self) -> bool:
        return self.end_minute > MINUTES_PER_DAY

    @property
    def start(self) -> time:
        return time(self.start_minute // 60, self.start_minute % 60)


@dataclass(frozen=True)
class WeeklySchedule:
    """Validated schedule; days maps date.weekday() (0 = Monday) to that day's ranges."""

    timezone: str
    days: dict[int, tuple[TimeRange, ...]] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def has_ranges(self) -> bool:
        return any(self.days.values())


# ---------------------------------------------------------------- parsing


def parse_schedule(
    timezone: str, schedule: dict, holidays: Iterable[str] | None = ()
) -> WeeklySchedule:
    """Validate user input (already JSON-decoded); raise ScheduleError listing all problems."""
    problems: list[tuple[str, str]] = []
    _check_timezone(timezone, problems)
    days = _parse_days(schedule, problems)
    holiday_dates = _parse_holidays(holidays, problems)
    if problems:
        raise ScheduleError(problems)
    return WeeklySchedule(timezone=timezone, days=days, holidays=holiday_dates)


def _check_timezone(name: object, problems: list[tuple[str, str]]) -> None:
    hint = "expected an IANA name such as 'Europe/Berlin'"
    if not isinstance(name, str) or not name:
        problems.append(("timezone", f"missing timezone, {hint}"))
        return
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        problems.append(("timezone", f"unknown timezone {name!r}, {hint}"))


def _parse_days(
    schedule: object, problems: list[tuple[str, str]]
) -> dict[int, tuple[TimeRange, ...]]:
    if schedule is None:
        return {}
    if not isinstance(schedule, dict):
        message = "expected an object mapping weekday names (monday..sunday) to time ranges"
        problems.append(("schedule", message))
        return {}
    days: dict[int, tuple[TimeRange, ...]] = {}
    for name, value in schedule.items():
        path = f"schedule.{name}"
        if name not in WEEKDAYS:
            lower = name.lower() if isinstance(name, str) else None
            hint = f" (use lower-case {lower!r})" if lower in WEEKDAYS else ""
            problems.append((path, f"unknown weekday {name!r}, expected one of monday..sunday{hint}"))
            continue
        if value is None:
            continue
        if isinstance(value, dict):
            items = [(path, value)]
        elif isinstance(value, list):
            items = [(f"{path}[{i}]", item) for i, item in enumerate(value)]
        else:
            problems.append((path, 'expected a range {"start": "HH:MM", "end": "HH:MM"} or a list of ranges'))
            continue
        ranges = [r for item_path, item in items if (r := _parse_range(item_path, item, problems))]
        if ranges:
            days[WEEKDAYS.index(name)] = tuple(ranges)
    return days


def _parse_range(path: str, value: object, problems: list[tuple[str, str]]) -> TimeRange | None:
    if not isinstance(value, dict):
        problems.append((path, f'expected a range {{"start": "HH:MM", "end": "HH:MM"}}, got {value!r}'))
        return None
    for key in value:
        if key not in _RANGE_KEYS:
            problems.append((f"{path}.{key}", f"unknown key {key!r}, expected only 'start' and 'end'"))
    start = _parse_time(f"{path}.start", value.get("start"), is_end=False, problems=problems)
    end = _parse_time(f"{path}.end", value.get("end"), is_end=True, problems=problems)
    if start is None or end is None:
        return None
    if start == end:
        problems.append((path, f"start equals end ({value['start']}); use 00:00-24:00 for a whole day"))
        return None
    if end == 0:
        end = MINUTES_PER_DAY  # 22:00-00:00 simply ends at midnight
    if end < start:
        end += MINUTES_PER_DAY  # overnight: ends on the following day
    return TimeRange(start, end)


def _parse_time(
    path: str, value: object, *, is_end: bool, problems: list[tuple[str, str]]
) -> int | None:
    """Return minutes after midnight for "HH:MM"; "24:00" only as an end time."""
    if value is None:
        problems.append((path, "missing time, expected HH:MM 24-hour time"))
        return None
    match = _TIME_RE.match(value) if isinstance(value, str) else None
    hours, minutes = (int(match[1]), int(match[2])) if match else (-1, -1)
    if hours == 24 and minutes == 0:
        if is_end:
            return MINUTES_PER_DAY
        problems.append((path, "24:00 is only allowed as an end time, use 00:00 to start at midnight"))
        return None
    if not (0 <= hours <= 23 and 0 <= minutes <= 59):
        problems.append((path, f"expected HH:MM 24-hour time, got {value!r}"))
        return None
    return hours * 60 + minutes


def _parse_holidays(holidays: object, problems: list[tuple[str, str]]) -> frozenset[date]:
    if holidays is None:
        return frozenset()
    if isinstance(holidays, (str, bytes, dict)) or not isinstance(holidays, Iterable):
        problems.append(("holidays", "expected a list of dates in YYYY-MM-DD format"))
        return frozenset()
    dates: set[date] = set()
    for i, value in enumerate(holidays):
        path = f"holidays[{i}]"
        if not (isinstance(value, str) and _DATE_RE.match(value)):
            problems.append((path, f"expected a date in YYYY-MM-DD format, got {value!r}"))
            continue
        try:
            dates.add(date.fromisoformat(value))
        except ValueError:
            problems.append((path, f"{value!r} is not a real calendar date"))
    return frozenset(dates)
