"""Broadcasts over a linked device (plan 5): E.164 recipients are the customers' conversations,
sends that fail while the device drops are retried and go out once it is back (5.4), and a
broadcast uses the agent's connected device unless it names one."""

from __future__ import annotations

import pytest

from tests.support.flows import create_agent, wait_until
from tests.support.whatsapp import link_device, wait_status

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
RECIPIENTS = ["+15559000001", "+1 (555) 900-0002", "0015559000003", "15559000004@s.whatsapp.net"]
EXPECTED_JIDS = {f"1555900000{n}@s.whatsapp.net" for n in range(1, 5)}


async def broadcast(api, agent_id: int, **body) -> dict:
    body = {"message": "Hello! This is a test broadcast message.", "integration_type": "whatsapp",
            "recipients": RECIPIENTS, "scheduled_at": None, **body}
    response = await api.post(f"/api/agents/{agent_id}/settings/broadcast", json=body)
    assert response.status_code in (200, 201), response.text
    return response.json()["results"]


async def test_a_broadcast_is_retried_while_the_device_drops_and_sent_once_it_is_back(
    live, live_api, fake_whatsapp, logs
):
    agent = await create_agent(live_api)
    linked, client = await link_device(live_api, agent["id"], fake_whatsapp, "+15559100000")
    client.receive("+15559000001", "I was here before")  # a known customer: one conversation
    await wait_until(lambda: len(fake_whatsapp.sent) == 1, what="the reply")
    fake_whatsapp.sent.clear()

    fake_whatsapp.send_failure = "websocket not connected"  # the connection is gone; the event not yet in
    created = await broadcast(live_api, agent["id"])
    assert created["integration_id"] == linked["id"] and created["pending"] == 4
    await wait_until(lambda: logs.count("⚠️  [BroadcastWorker] Failed to send, will retry") >= 1, what="retry line")
    client.drop()
    await wait_status(live_api, linked["id"], "error")
    fake_whatsapp.send_failure = None
    client.reconnect()

    await wait_until(lambda: len(fake_whatsapp.sent) == 4, timeout=15, what="four broadcast sends")
    assert {s.to for s in fake_whatsapp.sent} == EXPECTED_JIDS  # each recipient once

    async def completed() -> bool:
        view = (await live_api.get(f"/api/agents/{agent['id']}/settings/broadcast/{created['id']}")).json()
        return view["results"]["status"] == "completed" and view["results"]["sent"] == 4

    await wait_until(completed, timeout=10, what="campaign completed")
    assert logs.count("✅ [BroadcastWorker] Sent message to +15559000001") == 1
    conversations = (await live_api.get("/api/conversations", params={"limit": 100})).json()["results"]
    assert [c["remote_jid"] for c in conversations] == ["+15559000001"]  # broadcast and chat: one customer


async def test_a_broadcast_uses_the_agents_connected_device_or_the_one_it_names(live, live_api, fake_whatsapp):
    agent = await create_agent(live_api)
    first, first_client = await link_device(live_api, agent["id"], fake_whatsapp, "+15559200001")
    second, _ = await link_device(live_api, agent["id"], fake_whatsapp, "+15559200002")
    response = await live_api.post(f"/api/agents/{agent['id']}/settings/broadcast", json={
        "message": "hi", "integration_type": "whatsapp", "recipients": ["+15559000001"]})
    assert response.status_code == 422 and "2 of them connected" in response.json()["message"]

    assert (await broadcast(live_api, agent["id"], integration_id=first["id"]))["integration_id"] == first["id"]
    await live_api.post(f"/api/integrations/{first['id']}/disconnect")
    assert (await broadcast(live_api, agent["id"]))["integration_id"] == second["id"]
