"""Agent settings API: the plan's four bodies as written, merging, and validation."""

from __future__ import annotations

import pytest

PLAN_WORKING_HOURS = {
    "working_hours": {
        "enabled": True,
        "timezone": "UTC",
        "schedule": {
            day: {"start": "09:00", "end": "18:00"}
            for day in ("monday", "tuesday", "wednesday", "thursday", "friday")
        },
        "away_message": "We are currently offline. We'll respond during business hours (9 AM - 6 PM UTC).",
    }
}
PLAN_TRANSLATION = {
    "translation": {
        "enabled": True,
        "source_language": "en",
        "auto_detect": True,
        "translate_incoming": True,
        "translate_outgoing": True,
    }
}
PLAN_SENTIMENT = {
    "sentiment": {
        "enabled": True,
        "alert_on_negative": True,
        "negative_threshold": 0.5,
        "escalate_on_very_negative": True,
    }
}
PLAN_FOLLOW_UP = {
    "follow_up": {
        "enabled": True,
        "delay_minutes": 5,
        "max_follow_ups": 2,
        "only_if_no_reply": True,
        "messages": [
            "Hi! Just checking in. Do you have any questions?",
            "We're here to help if you need anything!",
        ],
    }
}


@pytest.fixture
async def agent_id(api) -> int:
    response = await api.post("/api/agents", json={"name": "Settings Agent", "model": "gpt-4o-mini"})
    return response.json()["results"]["id"]


async def put(api, agent_id, body):
    return await api.put(f"/api/agents/{agent_id}/settings", json=body)


async def test_plan_bodies_apply_and_merge(api, agent_id):
    for body in (PLAN_WORKING_HOURS, PLAN_TRANSLATION, PLAN_SENTIMENT, PLAN_FOLLOW_UP):
        response = await put(api, agent_id, body)
        assert response.status_code == 200, response.text
    settings = (await api.get(f"/api/agents/{agent_id}/settings")).json()["results"]
    for body in (PLAN_WORKING_HOURS, PLAN_TRANSLATION, PLAN_SENTIMENT, PLAN_FOLLOW_UP):
        (section, sent), = body.items()
        for key, value in sent.items():
            assert settings[section][key] == value, (section, key)
    # Sections not sent keep their values; fields not sent within a section keep theirs.
    response = await put(api, agent_id, {"sentiment": {"negative_threshold": 0.3}})
    settings = response.json()["results"]
    assert settings["sentiment"]["negative_threshold"] == 0.3
    assert settings["sentiment"]["escalate_on_very_negative"] is True
    assert settings["follow_up"]["max_follow_ups"] == 2
    assert settings["working_hours"]["schedule"]["monday"] == {"start": "09:00", "end": "18:00"}


async def test_several_ranges_overnight_and_holidays_accepted(api, agent_id):
    body = {
        "working_hours": {
            "enabled": True,
            "timezone": "Europe/Berlin",
            "schedule": {
                "monday": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "18:00"}],
                "friday": {"start": "22:00", "end": "06:00"},
            },
            "holidays": ["2026-12-25"],
        }
    }
    response = await put(api, agent_id, body)
    assert response.status_code == 200, response.text
    assert response.json()["results"]["working_hours"]["holidays"] == ["2026-12-25"]


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"working_hours": {"timezone": "Mars/Base"}}, "working_hours.timezone", "IANA"),
        (
            {"working_hours": {"schedule": {"monday": {"start": "9am", "end": "18:00"}}}},
            "working_hours.schedule.monday.start",
            "HH:MM",
        ),
        (
            {"working_hours": {"schedule": {"mondey": {"start": "09:00", "end": "18:00"}}}},
            "working_hours.schedule.mondey",
            "unknown weekday",
        ),
        (
            {"working_hours": {"schedule": {"monday": {"start": "09:00", "end": "09:00"}}}},
            "working_hours.schedule.monday",
            "start equals end",
        ),
        ({"working_hours": {"holidays": ["25/12/2026"]}}, "working_hours.holidays[0]", "YYYY-MM-DD"),
        ({"sentiment": {"negative_threshold": 1.5}}, "sentiment.negative_threshold", "less than or equal to 1"),
        ({"sentiment": {"negative_threshold": -0.1}}, "sentiment.negative_threshold", "greater than or equal to 0"),
        ({"follow_up": {"delay_minutes": 0}}, "follow_up.delay_minutes", "greater than 0"),
        ({"follow_up": {"max_follow_ups": 11}}, "follow_up.max_follow_ups", "less than or equal to 10"),
        ({"follow_up": {"max_follow_ups": 0}}, "follow_up.max_follow_ups", "greater than or equal to 1"),
        ({"follow_up": {"messages": []}}, "follow_up.messages", "at least 1 item"),
        ({"follow_up": {"messages": ["  "]}}, "follow_up.messages", "needs some text"),
        ({"translation": {"source_language": "english"}}, "translation.source_language", "pattern"),
        ({"sentiment": {"enabled": True, "shout": True}}, "sentiment.shout", "unknown field"),
        ({"opening_hours": {}}, "opening_hours", "unknown field"),
    ],
)
async def test_invalid_settings_name_field_and_expectation(api, agent_id, body, field, fragment):
    before = (await api.get(f"/api/agents/{agent_id}/settings")).json()["results"]
    response = await put(api, agent_id, body)
    assert response.status_code == 422, response.text
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert field in errors, errors
    assert fragment in errors[field], errors
    after = (await api.get(f"/api/agents/{agent_id}/settings")).json()["results"]
    assert after == before  # a rejected update changes nothing


async def test_several_problems_are_all_reported(api, agent_id):
    body = {"working_hours": {"timezone": "Nowhere/City", "schedule": {"sunday": {"start": "25:00", "end": "x"}}}}
    response = await put(api, agent_id, body)
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"working_hours.timezone", "working_hours.schedule.sunday.start", "working_hours.schedule.sunday.end"} <= fields


async def test_settings_of_unknown_agent_is_404(api):
    response = await api.put("/api/agents/999/settings", json=PLAN_SENTIMENT)
    assert response.status_code == 404 and response.json()["code"] == "AGENT_NOT_FOUND"
