"""Tests for working_hours.is_open / next_open: plan example, ranges, DST, holidays, aware times."""

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ai_agents.core.working_hours import (
    TimeRange,
    WeeklySchedule,
    closed_period_key,
    is_open,
    next_open,
    parse_schedule,
)
from tests.core.working_hours_cases import every_day, office, utc

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")


def assert_next_open(schedule: WeeklySchedule, now: datetime, expected: datetime | None) -> None:
    result = next_open(schedule, now)
    if expected is None:
        assert result is None
        return
    assert result is not None and result.tzinfo == schedule.zone  # returned in the schedule's timezone
    # Compare in UTC: Python never treats an ambiguous (fall-back) local time as equal to another zone's.
    result_utc = result.astimezone(UTC)
    assert result_utc == expected.astimezone(UTC)
    assert is_open(schedule, result_utc)
    assert result_utc == now or not is_open(schedule, result_utc - timedelta(seconds=1))


# ---------------------------------------------------------------- plan example (Mon 2026-01-05)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 1, 5, 10), True),
        (utc(2026, 1, 5, 20), False),
        (utc(2026, 1, 10, 12), False),  # Saturday
        (utc(2026, 1, 5, 9), True),  # start is inclusive
        (utc(2026, 1, 5, 18), False),  # end is exclusive
        (utc(2026, 1, 5, 17, 59, 59), True),
        (utc(2026, 1, 5, 8, 59, 59), False),
        (datetime(2026, 1, 5, 11, tzinfo=BERLIN), True),  # 10:00 UTC given in another zone
    ],
)
def test_plan_example_is_open(now: datetime, expected: bool) -> None:
    assert is_open(office(), now) is expected


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 1, 5, 20), utc(2026, 1, 6, 9)),
        (utc(2026, 1, 5, 7), utc(2026, 1, 5, 9)),
        (utc(2026, 1, 9, 18), utc(2026, 1, 12, 9)),  # Friday evening -> Monday
        (utc(2026, 1, 10, 12), utc(2026, 1, 12, 9)),
        (utc(2026, 1, 5, 10, 30), utc(2026, 1, 5, 10, 30)),  # open now -> now
    ],
)
def test_plan_example_next_open(now: datetime, expected: datetime) -> None:
    assert_next_open(office(), now, expected)


# ---------------------------------------------------------------- ranges: lunch break, overlap, overnight, missing days


@pytest.mark.parametrize(
    ("now", "expected_open", "expected_next"),
    [
        (utc(2026, 1, 5, 11, 59), True, utc(2026, 1, 5, 11, 59)),
        (utc(2026, 1, 5, 12), False, utc(2026, 1, 5, 13)),
        (utc(2026, 1, 5, 12, 30), False, utc(2026, 1, 5, 13)),
        (utc(2026, 1, 5, 13), True, utc(2026, 1, 5, 13)),
        (utc(2026, 1, 5, 17), False, utc(2026, 1, 12, 9)),
    ],
)
def test_lunch_break(now: datetime, expected_open: bool, expected_next: datetime) -> None:
    schedule = parse_schedule(
        "UTC", {"monday": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "17:00"}]}
    )
    assert is_open(schedule, now) is expected_open
    assert_next_open(schedule, now, expected_next)


def test_overlapping_ranges_are_a_union() -> None:
    schedule = parse_schedule(
        "UTC", {"monday": [{"start": "11:00", "end": "14:00"}, {"start": "09:00", "end": "12:00"}]}
    )
    assert [is_open(schedule, utc(2026, 1, 5, h)) for h in (8, 9, 11, 13, 14)] == [False, True, True, True, False]
    assert next_open(schedule, utc(2026, 1, 5, 8)) == utc(2026, 1, 5, 9)


@pytest.mark.parametrize(
    ("day", "now", "expected_open", "expected_next"),
    [
        ("monday", utc(2026, 1, 5, 21, 59), False, utc(2026, 1, 5, 22)),
        ("monday", utc(2026, 1, 5, 22), True, utc(2026, 1, 5, 22)),
        ("monday", utc(2026, 1, 6, 3), True, utc(2026, 1, 6, 3)),  # Tuesday 03:00 under Monday's range
        ("monday", utc(2026, 1, 6, 6), False, utc(2026, 1, 12, 22)),
        ("monday", utc(2026, 1, 5, 3), False, utc(2026, 1, 5, 22)),  # Monday morning: Sunday had nothing
        ("sunday", utc(2026, 1, 5, 3), True, utc(2026, 1, 5, 3)),  # week wrap Sunday -> Monday
        ("sunday", utc(2026, 1, 4, 21), False, utc(2026, 1, 4, 22)),
        ("sunday", utc(2026, 1, 5, 6), False, utc(2026, 1, 11, 22)),
    ],
)
def test_overnight_range(day: str, now: datetime, expected_open: bool, expected_next: datetime) -> None:
    schedule = parse_schedule("UTC", {day: {"start": "22:00", "end": "06:00"}})
    assert is_open(schedule, now) is expected_open
    assert_next_open(schedule, now, expected_next)


def test_midnight_ends_and_whole_day() -> None:
    schedule = parse_schedule(
        "UTC", {"monday": {"start": "22:00", "end": "00:00"}, "tuesday": {"start": "00:00", "end": "24:00"}}
    )
    assert schedule.days[0] == (TimeRange(22 * 60, 24 * 60),)
    assert schedule.days[1] == (TimeRange(0, 24 * 60),)
    assert is_open(schedule, utc(2026, 1, 5, 23, 59))
    assert is_open(schedule, utc(2026, 1, 6, 0))
    assert is_open(schedule, utc(2026, 1, 6, 23, 59, 59))
    assert not is_open(schedule, utc(2026, 1, 7, 0))


@pytest.mark.parametrize("closed_value", [None, []])
def test_missing_and_empty_days_are_closed(closed_value: object) -> None:
    schedule = parse_schedule("UTC", {"monday": closed_value, "wednesday": {"start": "10:00", "end": "11:00"}})
    assert set(schedule.days) == {2}
    assert not is_open(schedule, utc(2026, 1, 5, 10, 30))
    assert is_open(schedule, utc(2026, 1, 7, 10, 30))
    assert next_open(schedule, utc(2026, 1, 5, 10, 30)) == utc(2026, 1, 7, 10)


def test_no_ranges_never_opens() -> None:
    schedule = parse_schedule("UTC", {})
    assert not is_open(schedule, utc(2026, 1, 5, 10))
    assert next_open(schedule, utc(2026, 1, 5, 10)) is None
    assert closed_period_key(schedule, utc(2026, 1, 5, 10)) == "never"


# ---------------------------------------------------------------- DST (2026: US 03-08 / 11-01, EU 03-29 / 10-25)


@pytest.mark.parametrize(
    ("tz", "now", "expected"),
    [
        ("America/New_York", utc(2026, 3, 7, 14), True),  # Sat 09:00 EST
        ("America/New_York", utc(2026, 3, 7, 13, 59), False),
        ("America/New_York", utc(2026, 3, 8, 13), True),  # Sun 09:00 EDT
        ("America/New_York", utc(2026, 3, 8, 12, 59), False),
        ("America/New_York", utc(2026, 3, 8, 21, 59), True),  # 17:59 EDT
        ("America/New_York", utc(2026, 3, 8, 22), False),
        ("America/New_York", utc(2026, 10, 31, 13), True),  # Sat 09:00 EDT
        ("America/New_York", utc(2026, 11, 1, 13, 30), False),  # Sun 08:30 EST
        ("America/New_York", utc(2026, 11, 1, 14), True),  # Sun 09:00 EST
        ("America/New_York", utc(2026, 11, 1, 22, 59), True),
        ("America/New_York", utc(2026, 11, 1, 23), False),
        ("Europe/Berlin", utc(2026, 3, 28, 8), True),  # Sat 09:00 CET
        ("Europe/Berlin", utc(2026, 3, 28, 7, 59), False),
        ("Europe/Berlin", utc(2026, 3, 29, 7), True),  # Sun 09:00 CEST
        ("Europe/Berlin", utc(2026, 3, 29, 6, 59), False),
        ("Europe/Berlin", utc(2026, 10, 24, 7), True),  # Sat 09:00 CEST
        ("Europe/Berlin", utc(2026, 10, 25, 7, 30), False),  # Sun 08:30 CET
        ("Europe/Berlin", utc(2026, 10, 25, 8), True),  # Sun 09:00 CET
    ],
)
def test_dst_is_open(tz: str, now: datetime, expected: bool) -> None:
    assert is_open(parse_schedule(tz, every_day("09:00", "18:00")), now) is expected


@pytest.mark.parametrize(
    ("tz", "now", "expected"),
    [
        ("America/New_York", utc(2026, 3, 7, 23), utc(2026, 3, 8, 13)),
        ("America/New_York", utc(2026, 10, 31, 23), utc(2026, 11, 1, 14)),
        ("Europe/Berlin", utc(2026, 3, 28, 20), utc(2026, 3, 29, 7)),
        ("Europe/Berlin", utc(2026, 10, 24, 18), utc(2026, 10, 25, 8)),
    ],
)
def test_dst_next_open(tz: str, now: datetime, expected: datetime) -> None:
    assert_next_open(parse_schedule(tz, every_day("09:00", "18:00")), now, expected)


def test_overnight_range_across_dst_keeps_wall_clock_times() -> None:
    schedule = parse_schedule("Europe/Berlin", {"saturday": {"start": "22:00", "end": "06:00"}})
    assert is_open(schedule, utc(2026, 3, 29, 3, 59))  # 05:59 CEST
    assert not is_open(schedule, utc(2026, 3, 29, 4))  # 06:00 CEST
    assert is_open(schedule, utc(2026, 10, 25, 4, 59))  # 05:59 CET
    assert not is_open(schedule, utc(2026, 10, 25, 5))


@pytest.mark.parametrize(
    ("tz", "start", "end", "now", "expected_next"),
    [
        # 02:30 does not exist on the spring-forward day: opens when the gap ends (03:00 local).
        ("America/New_York", "02:30", "05:00", utc(2026, 3, 8, 5), utc(2026, 3, 8, 7)),
        ("Europe/Berlin", "02:30", "05:00", utc(2026, 3, 28, 23), utc(2026, 3, 29, 1)),
        # A range wholly inside the gap never opens that day; next Sunday 02:00 EDT instead.
        ("America/New_York", "02:00", "02:45", utc(2026, 3, 8, 5), utc(2026, 3, 15, 6)),
        # 01:30 happens twice on the fall-back day: the first occurrence (EDT) counts.
        ("America/New_York", "01:30", "03:00", utc(2026, 11, 1, 4), utc(2026, 11, 1, 5, 30)),
        ("Europe/Berlin", "02:30", "05:00", utc(2026, 10, 24, 23), utc(2026, 10, 25, 0, 30)),
    ],
)
def test_dst_gap_and_fold_starts(tz: str, start: str, end: str, now: datetime, expected_next: datetime) -> None:
    assert_next_open(parse_schedule(tz, {"sunday": {"start": start, "end": end}}), now, expected_next)


def test_dst_gap_is_open_around_the_switch() -> None:
    schedule = parse_schedule("America/New_York", {"sunday": {"start": "02:30", "end": "05:00"}})
    opens = [is_open(schedule, utc(2026, 3, 8, h, m)) for h, m in ((6, 59), (7, 0), (8, 59), (9, 0))]
    assert opens == [False, True, True, False]


@pytest.mark.parametrize(
    ("start", "end", "fold", "expected"),
    [
        ("01:30", "03:00", 0, False),  # first 01:15 (EDT) is before the first 01:30
        ("01:30", "03:00", 1, True),  # second 01:15 (EST) is inside [01:30 EDT, 03:00 EST)
        ("00:00", "01:30", 0, True),
        ("00:00", "01:30", 1, False),  # range closed at the first 01:30
    ],
)
def test_fold_compares_real_instants(start: str, end: str, fold: int, expected: bool) -> None:
    schedule = parse_schedule("America/New_York", {"sunday": {"start": start, "end": end}})
    now = datetime(2026, 11, 1, 1, 15, fold=fold, tzinfo=NEW_YORK)
    assert is_open(schedule, now) is expected


# ---------------------------------------------------------------- holidays


@pytest.mark.parametrize(
    ("now", "expected_open", "expected_next"),
    [
        (utc(2026, 12, 24, 23), True, utc(2026, 12, 24, 23)),  # eve: open until midnight
        (utc(2026, 12, 25, 3), False, utc(2026, 12, 26, 22)),  # spill into the holiday is closed
        (utc(2026, 12, 25, 23), False, utc(2026, 12, 26, 22)),  # the holiday's own range is closed
        (utc(2026, 12, 26, 3), False, utc(2026, 12, 26, 22)),  # spill out of the holiday is closed
        (utc(2026, 12, 26, 22), True, utc(2026, 12, 26, 22)),
        (utc(2026, 12, 27, 3), True, utc(2026, 12, 27, 3)),
    ],
)
def test_holiday_with_overnight_ranges(now: datetime, expected_open: bool, expected_next: datetime) -> None:
    schedule = parse_schedule("UTC", every_day("22:00", "06:00"), ["2026-12-25"])
    assert is_open(schedule, now) is expected_open
    assert_next_open(schedule, now, expected_next)


def test_holiday_uses_local_date() -> None:
    schedule = parse_schedule("Europe/Berlin", every_day("00:00", "24:00"), ["2026-12-25"])
    assert is_open(schedule, utc(2026, 12, 24, 22, 59))  # 23:59 CET on the 24th
    assert not is_open(schedule, utc(2026, 12, 24, 23))  # 00:00 CET on the 25th
    assert next_open(schedule, utc(2026, 12, 24, 23)) == utc(2026, 12, 25, 23)


def test_next_open_across_long_holiday_stretch() -> None:
    summer = [str(date(2026, 7, 1) + timedelta(days=i)) for i in range(92)]  # July..September
    schedule = office(holidays=tuple(summer))
    assert next_open(schedule, utc(2026, 6, 30, 20)) == utc(2026, 10, 1, 9)


def test_next_open_gives_up_after_about_400_days() -> None:
    mondays = [str(date(2026, 1, 5) + timedelta(weeks=i)) for i in range(80)]
    schedule = parse_schedule("UTC", {"monday": {"start": "09:00", "end": "10:00"}}, mondays)
    assert next_open(schedule, utc(2026, 1, 1)) is None
    assert closed_period_key(schedule, utc(2026, 1, 1)) == "never"


# ---------------------------------------------------------------- timezone-aware input only


@pytest.mark.parametrize("function", [is_open, next_open, closed_period_key])
def test_naive_datetime_rejected(function: Callable[[WeeklySchedule, datetime], object]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        function(office(), datetime(2026, 1, 5, 10))
