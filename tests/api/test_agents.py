"""Agents API: the plan's create body, read, list, update, delete, key masking."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from ai_agents.db.models import Agent

PLAN_AGENT = {
    "name": "Support Agent 1",
    "model": "gpt-4o-mini",
    "api_key": "sk-test-abcdefghijklmnop-wxyz",
    "system_prompt": "You are a helpful customer support agent.",
    "is_active": True,
}


async def create(api, **changes) -> dict:
    response = await api.post("/api/agents", json={**PLAN_AGENT, **changes})
    assert response.status_code == 201, response.text
    return response.json()["results"]


async def test_plan_create_body_creates_agent_and_logs(api, logs):
    response = await api.post("/api/agents", json=PLAN_AGENT)
    body = response.json()
    assert response.status_code == 201
    assert body["status"] == 201 and body["code"] == "SUCCESS"
    agent = body["results"]
    assert agent["name"] == "Support Agent 1" and agent["model"] == "gpt-4o-mini"
    assert agent["system_prompt"] == PLAN_AGENT["system_prompt"] and agent["is_active"] is True
    assert agent["language"] == "en" and agent["base_url"] is None
    assert logs.count("✅ Agent created: Support Agent 1") == 1


async def test_api_key_is_masked_and_encrypted_at_rest(api, ctx, logs):
    agent = await create(api)
    assert agent["api_key"] == "sk-...wxyz"
    listed = (await api.get("/api/agents")).json()["results"]
    fetched = (await api.get(f"/api/agents/{agent['id']}")).json()["results"]
    for shown in (listed[0], fetched):
        assert shown["api_key"] == "sk-...wxyz"
    with Session(ctx.engine) as session:
        stored = session.exec(select(Agent)).one()
    assert PLAN_AGENT["api_key"] not in stored.api_key_encrypted
    assert ctx.box.decrypt(stored.api_key_encrypted) == PLAN_AGENT["api_key"]
    assert PLAN_AGENT["api_key"] not in logs.text


async def test_extra_fields_base_url_temperature_language(api):
    agent = await create(
        api, base_url="http://127.0.0.1:11434/v1", temperature=0.2, language="es", api_key=None
    )
    assert agent["base_url"] == "http://127.0.0.1:11434/v1"
    assert agent["temperature"] == 0.2 and agent["language"] == "es"
    assert agent["api_key"] is None and agent["has_api_key"] is False


async def test_list_paginates_and_filters(api):
    for i in range(3):
        await create(api, name=f"Agent {i}", is_active=i != 1)
    page = (await api.get("/api/agents", params={"limit": 2, "offset": 1})).json()
    assert [a["name"] for a in page["results"]] == ["Agent 1", "Agent 2"]
    assert page["meta"] == {"total": 3, "limit": 2, "offset": 1}
    active = (await api.get("/api/agents", params={"is_active": "false"})).json()["results"]
    assert [a["name"] for a in active] == ["Agent 1"]


async def test_patch_changes_only_sent_fields_and_keeps_key(api):
    agent = await create(api)
    response = await api.patch(f"/api/agents/{agent['id']}", json={"is_active": False})
    patched = response.json()["results"]
    assert patched["is_active"] is False
    assert patched["name"] == "Support Agent 1" and patched["api_key"] == "sk-...wxyz"


async def test_put_replaces_agent_but_omitted_key_is_kept(api):
    agent = await create(api, temperature=0.5)
    body = {"name": "Renamed", "model": "gpt-4o", "system_prompt": "Be brief."}
    replaced = (await api.put(f"/api/agents/{agent['id']}", json=body)).json()["results"]
    assert replaced["name"] == "Renamed" and replaced["model"] == "gpt-4o"
    assert replaced["temperature"] is None  # not sent: back to default
    assert replaced["api_key"] == "sk-...wxyz"


async def test_patch_null_on_required_field_is_rejected(api):
    agent = await create(api)
    response = await api.patch(f"/api/agents/{agent['id']}", json={"name": None})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "name", "message": "cannot be null"}]


async def test_clearing_the_key_with_null(api):
    agent = await create(api)
    cleared = (await api.patch(f"/api/agents/{agent['id']}", json={"api_key": None})).json()
    assert cleared["results"]["api_key"] is None


async def test_delete_then_404(api):
    agent = await create(api)
    deleted = await api.delete(f"/api/agents/{agent['id']}")
    assert deleted.status_code == 200 and deleted.json()["results"]["deleted"] is True
    missing = await api.get(f"/api/agents/{agent['id']}")
    assert missing.status_code == 404
    assert missing.json()["code"] == "AGENT_NOT_FOUND"


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"model": "x"}, "name", "is required"),
        ({"name": ""}, "name", "at least 1 character"),
        ({"name": "A", "temperature": 3}, "temperature", "less than or equal to 2"),
        ({"name": "A", "base_url": "ftp://x"}, "base_url", "should match pattern"),
        ({"name": "A", "language": "English"}, "language", "should match pattern"),
        ({"name": "A", "is_active": "maybe"}, "is_active", "valid boolean"),
        ({"name": "A", "colour": "red"}, "colour", "unknown field"),
    ],
)
async def test_create_validation_names_the_field(api, body, field, fragment):
    response = await api.post("/api/agents", json=body)
    assert response.status_code == 422
    payload = response.json()
    assert payload["code"] == "VALIDATION_ERROR" and payload["results"] is None
    errors = {e["field"]: e["message"] for e in payload["errors"]}
    assert field in errors and fragment in errors[field], payload
    assert field in payload["message"]


async def test_changing_base_url_needs_the_key_again(api, ctx):
    agent = await create(api)
    url = f"/api/agents/{agent['id']}"
    moved = await api.patch(url, json={"base_url": "https://evil.example/v1"})
    assert moved.status_code == 422
    problem = moved.json()["errors"][0]
    assert problem["field"] == "api_key" and "base_url changes" in problem["message"]
    assert "keep_api_key" in problem["message"]
    assert (await api.get(url)).json()["results"]["base_url"] is None  # nothing changed
    replaced = await api.put(url, json={"name": "A", "base_url": "https://other.example/v1"})
    assert replaced.status_code == 422 and replaced.json()["errors"][0]["field"] == "api_key"

    with_key = await api.patch(url, json={"base_url": "https://a.example/v1", "api_key": "sk-for-a-host-1111"})
    assert with_key.status_code == 200 and with_key.json()["results"]["api_key"] == "sk-...1111"
    kept = await api.patch(url, json={"base_url": "https://b.example/v1", "keep_api_key": True})
    assert kept.status_code == 200 and kept.json()["results"]["api_key"] == "sk-...1111"
    assert "keep_api_key" not in kept.json()["results"]
    same = await api.patch(url, json={"base_url": "https://b.example/v1/", "temperature": 0.3})
    assert same.status_code == 200  # the same host (trailing slash aside) needs nothing more
    back = await api.put(url, json={"name": "A"})  # back to the default endpoint is a change too
    assert back.status_code == 422


async def test_base_url_of_an_agent_without_key_changes_freely(api):
    agent = await create(api, api_key=None)
    moved = await api.patch(f"/api/agents/{agent['id']}", json={"base_url": "http://127.0.0.1:11434/v1"})
    assert moved.status_code == 200 and moved.json()["results"]["base_url"] == "http://127.0.0.1:11434/v1"
