"""Every failure answers in the envelope: malformed JSON, big bodies, unknown routes, auth."""

from __future__ import annotations

import httpx
import pytest

from ai_agents.api import build_api


async def test_malformed_json_is_400_with_position(api):
    response = await api.post(
        "/api/agents", content=b'{"name": "A",', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "MALFORMED_JSON" and "not valid JSON" in body["message"]


async def test_malformed_json_without_content_type(api):
    response = await api.post("/api/agents", content=b"{bad")
    assert response.status_code == 400 and response.json()["code"] == "MALFORMED_JSON"


async def test_json_array_instead_of_object(api):
    response = await api.post("/api/agents", json=[1, 2])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "body"


async def test_body_over_one_mib_is_413(api):
    big = b'{"name": "' + b"x" * (1024 * 1024) + b'"}'
    response = await api.post("/api/agents", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["code"] == "PAYLOAD_TOO_LARGE"


async def test_streamed_body_over_limit_is_413(api):
    async def chunks():
        for _ in range(20):
            yield b"x" * 65536

    response = await api.post("/api/agents", content=chunks())
    assert response.status_code == 413


async def test_unknown_api_route_is_404_envelope(api):
    response = await api.get("/api/nope")
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND" and "/api/docs" in response.json()["message"]


async def test_wrong_method_is_405_envelope(api):
    response = await api.patch("/api/health")
    assert response.status_code in (404, 405)
    assert response.json()["status"] == response.status_code


async def test_bad_path_id_is_422_naming_it(api):
    response = await api.get("/api/agents/abc")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "agent_id"


async def test_openapi_docs_served(api):
    spec = (await api.get("/api/openapi.json")).json()
    assert "/api/agents/{agent_id}/settings" in spec["paths"]
    assert (await api.get("/api/docs")).status_code == 200


async def test_api_unavailable_when_platform_not_running():
    transport = httpx.ASGITransport(app=build_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.get("/api/agents")
    assert response.status_code == 503 and response.json()["code"] == "UNAVAILABLE"


class TestToken:
    @pytest.fixture
    def settings_overrides(self):
        return {"api_token": "a-long-random-test-token-123"}

    async def test_token_required_except_health(self, api):
        assert (await api.get("/api/agents")).status_code == 401
        wrong = await api.get("/api/agents", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and "Authorization: Bearer" in wrong.json()["message"]
        right = await api.get(
            "/api/agents", headers={"Authorization": "Bearer a-long-random-test-token-123"}
        )
        assert right.status_code == 200
        assert (await api.get("/api/health")).status_code == 200
