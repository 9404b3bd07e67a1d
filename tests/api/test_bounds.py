"""Ids and offsets beyond what the database stores answer 422 naming the field, never a 500 (OverflowError)."""

from __future__ import annotations

import re

import pytest

from ai_agents.api import build_api

TOO_BIG = [2**63, 99999999999999999999]
ROUTES = [
    (method.upper(), path)
    for path, operations in build_api().openapi()["paths"].items()
    if "{" in path
    for method in operations
]


@pytest.fixture
def database_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


def test_every_route_with_an_id_is_covered():
    assert len(ROUTES) >= 20 and ("GET", "/api/agents/{agent_id}") in ROUTES


@pytest.mark.parametrize("number", TOO_BIG)
async def test_too_large_ids_in_paths_are_422_naming_the_field(api, number):
    for method, path in ROUTES:
        fields = re.findall(r"{(\w+)}", path)
        response = await api.request(method, path.format(**dict.fromkeys(fields, number)), json={})
        assert response.status_code == 422, (method, path, response.text)
        body = response.json()
        assert body["code"] == "VALIDATION_ERROR" and body["status"] == 422 and body["results"] is None
        named = {error["field"] for error in body["errors"]}
        assert set(fields) <= named, (method, path, body)
        assert any("less than or equal to 9223372036854775807" in e["message"] for e in body["errors"])


@pytest.mark.parametrize(
    "query, field",
    [
        ("/api/agents?offset=99999999999999999999", "offset"),
        ("/api/conversations?offset=9223372036854775808", "offset"),
        ("/api/conversations?agent_id=99999999999999999999", "agent_id"),
        ("/api/conversations?integration_id=-1", "integration_id"),
        ("/api/conversations/1/messages?before_id=99999999999999999999", "before_id"),
        ("/api/conversations/1/messages?after_id=99999999999999999999", "after_id"),
        ("/api/conversations/1/messages?after_id=0", "after_id"),
        ("/api/agents/1/settings/broadcast/1/recipients?offset=99999999999999999999", "offset"),
    ],
)
async def test_too_large_query_numbers_are_422_naming_the_field(api, query, field):
    response = await api.get(query)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [field]


async def test_largest_id_is_a_plain_404(api):
    response = await api.get(f"/api/agents/{2**63 - 1}")
    assert response.status_code == 404 and response.json()["code"] == "AGENT_NOT_FOUND"


async def test_too_large_id_in_a_body_is_422_naming_the_field(api):
    agent = await api.post("/api/agents", json={"name": "A", "model": "gpt-4o-mini", "api_key": "sk-test-key-1"})
    body = {"integration_type": "telegram", "message": "Hi", "recipients": ["1"], "integration_id": 2**63}
    response = await api.post(f"/api/agents/{agent.json()['results']['id']}/settings/broadcast", json=body)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == ["integration_id"]
