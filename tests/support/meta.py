"""Connect WhatsApp Cloud API numbers and Instagram pages through the API, against the fake Graph API."""

from __future__ import annotations

import httpx

from tests.fakes.graph_server import FakeGraph
from tests.support.flows import wait_until

APP_SECRET = "3c5f0a1b2d4e6f708192a3b4c5d6e7f8"
VERIFY_TOKEN = "verify-me-5b7c9d"


async def connect_whatsapp_cloud(
    api: httpx.AsyncClient, agent_id: int, graph: FakeGraph, number_id: str, token: str, **fields
) -> dict:
    graph.add_phone_number(number_id, token)
    body = {"type": "whatsapp_cloud", "phone_number_id": number_id, "access_token": token,
            "app_secret": APP_SECRET, "verify_token": VERIFY_TOKEN, "api_base_url": graph.base_url, **fields}
    return await _connected(api, agent_id, body)


async def connect_instagram(
    api: httpx.AsyncClient, agent_id: int, graph: FakeGraph, page_id: str, token: str, account_id: str, **fields
) -> dict:
    graph.add_page(page_id, token, instagram_account_id=account_id)
    body = {"type": "instagram", "page_id": page_id, "access_token": token, "api_base_url": graph.base_url, **fields}
    return await _connected(api, agent_id, body)


async def _connected(api: httpx.AsyncClient, agent_id: int, body: dict) -> dict:
    response = await api.post(f"/api/agents/{agent_id}/integrations", json=body)
    assert response.status_code == 201, response.text
    integration = response.json()["results"]

    async def connected() -> bool:
        view = (await api.get(f"/api/integrations/{integration['id']}")).json()["results"]
        return view["connected"] and view["running"]

    await wait_until(connected, what=f"{body['type']} integration connected")
    return integration


async def messages_of(api: httpx.AsyncClient, remote_id: str) -> list[dict]:
    """The messages of the one conversation with `remote_id`."""
    conversations = (await api.get("/api/conversations")).json()["results"]
    found = [c for c in conversations if c["remote_jid"] == remote_id]
    assert len(found) == 1, f"expected one conversation with {remote_id}, got {len(found)}"
    return (await api.get(f"/api/conversations/{found[0]['id']}/messages")).json()["results"]


async def run_broadcast(api: httpx.AsyncClient, agent_id: int, body: dict, until: str) -> str:
    """Create the broadcast, wait for its status `until`; returns its URL."""
    created = await api.post(f"/api/agents/{agent_id}/settings/broadcast", json=body)
    assert created.status_code == 201, created.text
    url = f"/api/agents/{agent_id}/settings/broadcast/{created.json()['results']['id']}"

    async def finished() -> bool:
        return (await api.get(url)).json()["results"]["status"] == until

    await wait_until(finished, what=f"broadcast {until}")
    return url
