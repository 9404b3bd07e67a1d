"""Tests for working-hours schedule parsing: validation errors, the parsed structure, TimeRange."""

from datetime import date

import pytest

from ai_agents.core.working_hours import ScheduleError, TimeRange, parse_schedule


@pytest.mark.parametrize(
    ("timezone", "schedule", "holidays", "field", "message"),
    [
        ("Mars/Base", {}, [], "timezone",
         "unknown timezone 'Mars/Base', expected an IANA name such as 'Europe/Berlin'"),
        ("", {}, [], "timezone", "missing timezone"),
        ("America", {}, [], "timezone", "unknown timezone 'America'"),
        ("UTC", {"mondey": {"start": "09:00", "end": "18:00"}}, [], "schedule.mondey",
         "unknown weekday 'mondey', expected one of monday..sunday"),
        ("UTC", {"Monday": {"start": "09:00", "end": "18:00"}}, [], "schedule.Monday", "use lower-case 'monday'"),
        ("UTC", {"monday": [{"start": "09:00", "end": "12:00"}, {"start": "9am", "end": "18:00"}]}, [],
         "schedule.monday[1].start", "expected HH:MM 24-hour time, got '9am'"),
        ("UTC", {"monday": {"start": "09:00", "end": "25:00"}}, [], "schedule.monday.end",
         "expected HH:MM 24-hour time, got '25:00'"),
        ("UTC", {"monday": {"start": 900, "end": "18:00"}}, [], "schedule.monday.start",
         "expected HH:MM 24-hour time, got 900"),
        ("UTC", {"monday": {"start": "24:00", "end": "06:00"}}, [], "schedule.monday.start",
         "24:00 is only allowed as an end time"),
        ("UTC", {"monday": {"start": "09:00", "end": "09:00"}}, [], "schedule.monday", "start equals end"),
        ("UTC", {"monday": {"start": "09:00"}}, [], "schedule.monday.end", "missing time"),
        ("UTC", {"monday": {"start": "09:00", "end": "18:00", "begin": "08:00"}}, [], "schedule.monday.begin",
         "unknown key 'begin'"),
        ("UTC", {"monday": "09:00-18:00"}, [], "schedule.monday", "expected a range"),
        ("UTC", {"monday": ["09:00-18:00"]}, [], "schedule.monday[0]", "expected a range"),
        ("UTC", ["monday"], [], "schedule", "expected an object mapping weekday names"),
        ("UTC", {}, ["25.12.2026"], "holidays[0]", "expected a date in YYYY-MM-DD format, got '25.12.2026'"),
        ("UTC", {}, ["2026-12-25", "2026-02-30"], "holidays[1]", "'2026-02-30' is not a real calendar date"),
        ("UTC", {}, "2026-12-25", "holidays", "expected a list of dates"),
    ],
)
def test_validation_error_points_at_the_field(
    timezone: object, schedule: object, holidays: object, field: str, message: str
) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(timezone, schedule, holidays)  # type: ignore[arg-type]
    assert len(caught.value.problems) == 1, caught.value.problems
    (got_field, got_message), = caught.value.problems
    assert got_field == field
    assert message in got_message


def test_validation_collects_all_problems() -> None:
    with pytest.raises(ValueError) as caught:  # ScheduleError is a ValueError
        parse_schedule(
            "Mars/Base",
            {"mondey": {"start": "09:00", "end": "18:00"}, "friday": {"start": "9am", "end": "18:00"}},
            ["2026-12-25", "tomorrow"],
        )
    assert isinstance(caught.value, ScheduleError)
    assert [f for f, _ in caught.value.problems] == [
        "timezone", "schedule.mondey", "schedule.friday.start", "holidays[1]",
    ]
    assert "schedule.friday.start: expected HH:MM 24-hour time, got '9am'" in str(caught.value)


def test_valid_schedule_structure() -> None:
    schedule = parse_schedule(
        "Europe/Berlin",
        {"monday": [{"start": "9:00", "end": "12:00"}, {"start": "22:00", "end": "06:00"}]},
        ["2026-12-25", "2026-12-25"],
    )
    assert schedule.timezone == "Europe/Berlin"
    assert schedule.days == {0: (TimeRange(540, 720), TimeRange(1320, 1800))}
    assert schedule.days[0][1].overnight
    assert schedule.holidays == frozenset({date(2026, 12, 25)})


@pytest.mark.parametrize(("start", "end"), [(-1, 60), (60, 60), (600, 2100), (0, 1441)])
def test_time_range_rejects_invalid_minutes(start: int, end: int) -> None:
    with pytest.raises(ValueError):
        TimeRange(start, end)

