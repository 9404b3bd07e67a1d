"""Tests for the working-hours away message: closed period key, next-opening text, template."""

from datetime import date, datetime, timedelta

import pytest

from ai_agents.core.working_hours import (
    closed_period_key,
    format_next_open,
    next_open,
    parse_schedule,
    render_away_message,
)
from tests.core.working_hours_cases import office, utc

# ---------------------------------------------------------------- closed period key


def test_closed_period_key_is_stable_per_closed_stretch() -> None:
    schedule = office()
    monday_night = [utc(2026, 1, 5, 18), utc(2026, 1, 5, 23, 30), utc(2026, 1, 6, 8, 59, 59)]
    assert {closed_period_key(schedule, now) for now in monday_night} == {"2026-01-06T09:00:00+00:00"}
    assert closed_period_key(schedule, utc(2026, 1, 6, 18)) == "2026-01-07T09:00:00+00:00"  # next night differs
    assert closed_period_key(schedule, utc(2026, 1, 5, 8)) == "2026-01-05T09:00:00+00:00"  # previous night differs
    weekend = [utc(2026, 1, 9, 18), utc(2026, 1, 10, 12), utc(2026, 1, 11, 23)]
    assert {closed_period_key(schedule, now) for now in weekend} == {"2026-01-12T09:00:00+00:00"}
    assert closed_period_key(schedule, utc(2026, 1, 5, 10)) is None


# ---------------------------------------------------------------- away message


@pytest.mark.parametrize(
    ("tz", "now", "expected"),
    [
        ("UTC", utc(2026, 1, 5, 20), "Tuesday 09:00 UTC"),
        ("Europe/Berlin", utc(2026, 1, 5, 20), "Tuesday 09:00 CET"),
        ("Europe/Berlin", utc(2026, 7, 3, 20), "Monday 09:00 CEST"),
        ("America/New_York", utc(2026, 3, 7, 12), "Monday 09:00 EDT"),
        ("America/Sao_Paulo", utc(2026, 1, 5, 22), "Tuesday 09:00 UTC-03"),  # numeric abbreviation
    ],
)
def test_format_next_open(tz: str, now: datetime, expected: str) -> None:
    schedule = office(tz)
    assert format_next_open(next_open(schedule, now), now) == expected


def test_format_next_open_adds_date_when_a_week_or_more_away() -> None:
    schedule = office(holidays=tuple(str(date(2026, 7, 1) + timedelta(days=i)) for i in range(92)))
    now = utc(2026, 6, 30, 20)
    assert format_next_open(next_open(schedule, now), now) == "Thursday 2026-10-01 09:00 UTC"
    assert format_next_open(utc(2026, 10, 1, 9)) == "Thursday 09:00 UTC"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("We're away. Back {next_open}.", "We're away. Back Tuesday 09:00 UTC."),
        ("We're away, leave a message.", "We're away, leave a message."),
        ("Hi {name}! {{ {next_open} }} {", "Hi {name}! {{ Tuesday 09:00 UTC }} {"),
        ("{next_open}/{next_open}", "Tuesday 09:00 UTC/Tuesday 09:00 UTC"),
        ("}{ {0} {next_open", "}{ {0} {next_open"),
    ],
)
def test_render_away_message(template: str, expected: str) -> None:
    assert render_away_message(template, office(), utc(2026, 1, 5, 20)) == expected


def test_render_away_message_without_any_opening() -> None:
    schedule = parse_schedule("UTC", {})
    assert render_away_message("Back {next_open}.", schedule, utc(2026, 1, 5, 20)) == "Back soon."
