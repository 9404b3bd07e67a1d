"""Schedules and instants shared by the working-hours tests (ai_agents.core.working_hours)."""

from datetime import UTC, datetime

from ai_agents.core.working_hours import WeeklySchedule, parse_schedule

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
ALL_DAYS = (*WEEKDAYS, "saturday", "sunday")
OFFICE = {day: {"start": "09:00", "end": "18:00"} for day in WEEKDAYS}  # the user's plan example


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def every_day(start: str, end: str) -> dict:
    return {day: {"start": start, "end": end} for day in ALL_DAYS}


def office(tz: str = "UTC", holidays: tuple[str, ...] = ()) -> WeeklySchedule:
    return parse_schedule(tz, OFFICE, list(holidays))

