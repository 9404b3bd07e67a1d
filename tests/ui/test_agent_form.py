"""The agent settings forms without a browser: stored settings to the form and back unchanged, and
each problem of the API's 422 placed beside the range, row or field it names."""

from __future__ import annotations

import copy

import pytest

from ai_agents.core.errors import ValidationFailed
from ai_agents.services.agent_settings import SECTIONS, AgentSettings, merge, schedule_of, settings_of
from ai_agents.services.validation import parse
from ai_agents.ui.agent_form import form_of, place, section_body, with_row_errors
from ai_agents.ui.pages.agent_settings import SECTION_LABELS
from tests.api.test_settings import PLAN_FOLLOW_UP, PLAN_SENTIMENT, PLAN_TRANSLATION, PLAN_WORKING_HOURS

STORED = merge(None, AgentSettings.model_validate({
    **PLAN_TRANSLATION, **PLAN_SENTIMENT, **PLAN_FOLLOW_UP,
    "working_hours": {**PLAN_WORKING_HOURS["working_hours"], "timezone": "Asia/Tokyo",
                      "schedule": {"monday": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "18:00"}],
                                   "friday": {"start": "22:00", "end": "02:00"}},
                      "holidays": ["2026-12-25"]},
    "broadcasts": {"opt_out_keywords": ["stop", "baja"], "opt_in_keywords": ["start"]},
})).model_dump(mode="json")


def _invalid(section_body_dict: dict) -> list:
    """The problems the API's PUT /settings reports for this body (its model, then its service)."""
    with pytest.raises(ValidationFailed) as refused:
        merge(STORED, parse(AgentSettings, section_body_dict))
    return refused.value.problems


def test_every_section_has_a_form():
    assert set(SECTION_LABELS) == set(SECTIONS)


@pytest.mark.parametrize("section", SECTIONS)
def test_a_section_saved_unchanged_is_stored_unchanged(section):
    body = section_body(section, form_of(STORED))
    saved = merge(STORED, parse(AgentSettings, body))
    assert schedule_of(saved) == schedule_of(settings_of(STORED))  # friday's one range is now a list of one
    as_lists = {day: r if isinstance(r, list) else [r] for day, r in STORED["working_hours"]["schedule"].items()}
    expected = copy.deepcopy(STORED)
    if section == "working_hours":
        expected["working_hours"]["schedule"] = as_lists
    assert saved.model_dump(mode="json") == expected


def test_the_schedule_form_holds_several_ranges_a_day_and_overnight_ones():
    form = form_of(STORED)
    assert [(r["start"], r["end"]) for r in form["schedule"]["monday"]] == [("09:00", "12:00"), ("13:00", "18:00")]
    assert [(r["start"], r["end"]) for r in form["schedule"]["friday"]] == [("22:00", "02:00")]
    assert form["schedule"]["sunday"] == [] and form["texts"]["working_hours.timezone"] == "Asia/Tokyo"
    form["schedule"]["sunday"] = [{"start": "10:00", "end": "14:00", "error": ""}]
    form["schedule"]["monday"].pop(0)
    stored = merge(STORED, parse(AgentSettings, section_body("working_hours", form)))
    assert stored.working_hours.schedule["sunday"][0].start == "10:00"
    assert [r.start for r in stored.working_hours.schedule["monday"]] == ["13:00"]
    assert settings_of(stored.model_dump()).translation == settings_of(STORED).translation  # other sections kept


def test_schedule_and_holiday_problems_go_to_their_rows():
    form = form_of(STORED)
    form["schedule"]["monday"][1]["start"] = "25:00"
    form["schedule"]["tuesday"] = [{"start": "10:00", "end": "10:00", "error": ""}]
    form["holidays"].append({"value": "2026-02-30", "error": ""})
    form["texts"]["working_hours.timezone"] = "Mars/Olympus"
    problems = _invalid(section_body("working_hours", form))
    fields, rows = place(problems)
    assert fields == {"working_hours.timezone": "unknown timezone 'Mars/Olympus', expected an IANA name such as 'Europe/Berlin'"}
    assert rows == {
        "working_hours.schedule.monday[1]": "start: expected HH:MM 24-hour time, got '25:00'",
        "working_hours.schedule.tuesday[0]": "start equals end (10:00); use 00:00-24:00 for a whole day",
        "working_hours.holidays[1]": "'2026-02-30' is not a real calendar date",
    }
    shown = with_row_errors(form, rows)
    assert shown["schedule"]["monday"][1]["error"] == rows["working_hours.schedule.monday[1]"]
    assert shown["schedule"]["monday"][0]["error"] == "" and shown["holidays"][0]["error"] == ""


def test_field_problems_name_the_field_as_the_api_does():
    form = form_of(STORED)
    form["texts"]["sentiment.negative_threshold"] = "1.5"
    form["texts"]["sentiment.alert_webhook_url"] = "not a url"
    fields, rows = place(_invalid(section_body("sentiment", form)))
    assert rows == {}
    assert fields["sentiment.negative_threshold"] == "Input should be less than or equal to 1, got \"1.5\""
    assert fields["sentiment.alert_webhook_url"].startswith("String should match pattern")
    form = form_of(STORED)
    form["messages"][1]["value"] = "   "
    form["texts"]["follow_up.max_follow_ups"] = "eleven"
    fields, _rows = place(_invalid(section_body("follow_up", form)))
    assert fields["follow_up.messages"] == "every follow-up message needs some text"
    assert fields["follow_up.max_follow_ups"].startswith("Input should be a valid integer")


def test_an_empty_optional_field_is_sent_as_null_and_lines_as_a_list():
    form = form_of(STORED)
    form["texts"]["sentiment.alert_telegram_chat_id"] = "  "
    form["texts"]["sentiment.escalation_keywords"] = "manager\n\n  human please \n"
    body = section_body("sentiment", form)["sentiment"]
    assert body["alert_telegram_chat_id"] is None
    assert body["escalation_keywords"] == ["manager", "human please"]


async def test_the_problems_are_those_of_the_apis_422(api):
    """The page validates with the API's own model and service: the same fields, the same words."""
    agent = (await api.post("/api/agents", json={"name": "Forms", "model": "gpt-4o-mini"})).json()["results"]
    form = form_of(copy.deepcopy(STORED))
    form["schedule"]["friday"][0]["end"] = "9am"
    form["holidays"].append({"value": "", "error": ""})
    body = section_body("working_hours", form)
    response = await api.put(f"/api/agents/{agent['id']}/settings", json=body)
    assert response.status_code == 422
    api_problems = [(e["field"], e["message"]) for e in response.json()["errors"]]
    assert api_problems == [(p.field, p.message) for p in _invalid(body)]
    _fields, rows = place(_invalid(body))
    assert set(rows) == {"working_hours.schedule.friday[0]", "working_hours.holidays[1]"}
