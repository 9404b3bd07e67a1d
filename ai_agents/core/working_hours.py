"""Agent working hours: is a schedule open now, when does it open next, the away message text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ai_agents.core.schedule import (
    MAX_LOOKAHEAD_DAYS,
    MINUTES_PER_DAY,
    NEXT_OPEN_PLACEHOLDER,
    NO_OPENING_TEXT,
    WEEKDAYS,
    ScheduleError,
    TimeRange,
    WeeklySchedule,
    parse_schedule,
)

# The schedule's types and parsing live in core/schedule.py; callers use them through here too.
__all__ = [
    "ScheduleError",
    "TimeRange",
    "WeeklySchedule",
    "closed_period_key",
    "format_next_open",
    "is_open",
    "next_open",
    "parse_schedule",
    "render_away_message",
]


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
