"""Helpers for linked-device WhatsApp tests: connect a device through the API and link it on the fake."""

from __future__ import annotations

import httpx

from tests.fakes.whatsapp_device import FakeDeviceClient, FakeWhatsApp
from tests.support.flows import wait_until


async def integration(api: httpx.AsyncClient, integration_id: int) -> dict:
    response = await api.get(f"/api/integrations/{integration_id}")
    assert response.status_code == 200, response.text
    return response.json()["results"]


async def wait_status(api: httpx.AsyncClient, integration_id: int, status: str, timeout: float = 10.0) -> dict:
    async def reached() -> bool:
        return (await integration(api, integration_id))["status"] == status

    await wait_until(reached, timeout=timeout, what=f"integration {integration_id} {status}")
    return await integration(api, integration_id)


async def add_device(api: httpx.AsyncClient, agent_id: int, fake: FakeWhatsApp, **body) -> tuple[dict, FakeDeviceClient]:
    """POST a whatsapp integration; returns it once its QR code is up, with its fake client. Its
    outbox rate is raised from the default 1 a second, for fast tests."""
    body = {"type": "whatsapp", "rate_limit_per_second": 100, **body}
    response = await api.post(f"/api/agents/{agent_id}/integrations", json=body)
    assert response.status_code == 201, response.text
    created = response.json()["results"]
    await wait_status(api, created["id"], "waiting_qr")
    return created, fake.client(created["id"])


async def link_device(
    api: httpx.AsyncClient, agent_id: int, fake: FakeWhatsApp, phone: str, device: int = 7, **body
) -> tuple[dict, FakeDeviceClient]:
    """A device connected to the agent and linked to `phone` (the phone scanned the QR code)."""
    created, client = await add_device(api, agent_id, fake, **body)
    client.scan(phone, device=device)
    return await wait_status(api, created["id"], "connected"), client
