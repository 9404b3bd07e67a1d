"""Agent working hours: parse a weekly schedule and answer open/closed/next-open questions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
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


# ---------------------------------------------------------------- evaluation


def _resolve(zone: ZoneInfo, day: date, minute: int) -> datetime:
    """UTC instant of local wall time `day` + `minute` (may roll into the next day).

    Ambiguous (fall-back) times use the first occurrence (fold=0); times inside a
    spring-forward gap map to the first valid instant after the gap.
    """
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    first = wall.replace(tzinfo=zone).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # In a gap: the transition lies between the two offset interpretations; bisect it.
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    lo, hi = min(first, second), max(first, second)
    before = lo.astimezone(zone).utcoffset()
    lo_s, hi_s = 0, int((hi - lo).total_seconds())
    while hi_s - lo_s > 1:
        mid = (lo_s + hi_s) // 2
        if (lo + timedelta(seconds=mid)).astimezone(zone).utcoffset() == before:
            lo_s = mid
        else:
            hi_s = mid
    return lo + timedelta(seconds=hi_s)


def _occurrences(
    schedule: WeeklySchedule, zone: ZoneInfo, day: date
) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals [start, end) in UTC for ranges that begin on local date `day`.

    A holiday drops its own ranges, and cuts an overnight range from the day before at midnight.
    """
    if day in schedule.holidays:
        return
    next_is_holiday = day + timedelta(days=1) in schedule.holidays
    for time_range in schedule.days.get(day.weekday(), ()):
        end_minute = time_range.end_minute
        if time_range.overnight and next_is_holiday:
            end_minute = MINUTES_PER_DAY
        start = _resolve(zone, day, time_range.start_minute)
        end = _resolve(zone, day, end_minute)
        if start < end:  # a range entirely inside a DST gap never opens
            yield start, end


def _require_aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now.astimezone(UTC)


def is_open(schedule: WeeklySchedule, now: datetime) -> bool:
    """True when `now` (aware) falls inside a working-hours range of the schedule."""
    now_utc = _require_aware(now)
    zone = schedule.zone
    today = now_utc.astimezone(zone).date()
    for day in (today - timedelta(days=1), today):
        if any(start <= now_utc < end for start, end in _occurrences(schedule, zone, day)):
            return True
    return False


def next_open(schedule: WeeklySchedule, now: datetime) -> datetime | None:
    """`now` if open, else the next opening (aware, schedule timezone); None if none within ~400 days."""
    now_utc = _require_aware(now)
    zone = schedule.zone
    if not schedule.has_ranges:
        return None
    if is_open(schedule, now_utc):
        return now_utc.astimezone(zone)
    today = now_utc.astimezone(zone).date()
    for offset in range(MAX_LOOKAHEAD_DAYS + 1):
        day = today + timedelta(days=offset)
        starts = [start for start, _ in _occurrences(schedule, zone, day) if start > now_utc]
        if starts:
            return min(starts).astimezone(zone)
    return None


def closed_period_key(schedule: WeeklySchedule, now: datetime) -> str | None:
    """None when open; otherwise a key shared by every moment of the current closed stretch.

    The key is the UTC ISO timestamp of the next opening, or "never" when there is none.
    """
    if is_open(schedule, now):
        return None
    opening = next_open(schedule, now)
    return "never" if opening is None else opening.astimezone(UTC).isoformat()


# ---------------------------------------------------------------- presentation


def format_next_open(dt: datetime, now: datetime | None = None) -> str:
    """Human text such as "Monday 09:00 CET"; adds the date when `dt` is a week or more after `now`."""
    weekday = WEEKDAYS[dt.weekday()].capitalize()
    text = f"{weekday} {dt:%H:%M}"
    if now is not None and (dt.date() - now.astimezone(dt.tzinfo).date()).days >= 7:
        text = f"{weekday} {dt:%Y-%m-%d %H:%M}"
    abbreviation = dt.tzname()
    if not abbreviation:
        return text
    if not abbreviation.isalpha():  # numeric abbreviations such as "+03"
        abbreviation = f"UTC{abbreviation}"
    return f"{text} {abbreviation}"


def render_away_message(template: str, schedule: WeeklySchedule, now: datetime) -> str:
    """Replace every literal "{next_open}" in `template`; other braces are left untouched."""
    if NEXT_OPEN_PLACEHOLDER not in template:
        return template
    opening = next_open(schedule, now)
    text = NO_OPENING_TEXT if opening is None else format_next_open(opening, now)
    return template.replace(NEXT_OPEN_PLACEHOLDER, text)
