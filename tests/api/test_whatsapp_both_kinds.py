"""Linked devices and Cloud API numbers side by side: which fields each takes, pairing only for
devices, and both counted as the health report's WhatsApp devices (plan 8.1/8.2)."""

from __future__ import annotations

import pytest

from tests.support.flows import create_agent
from tests.support.meta import connect_whatsapp_cloud
from tests.support.whatsapp import link_device

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.mark.parametrize(
    "body",
    [
        {"type": "telegram", "token": "5101:AAphonetestbottokenvalue0000000001"},
        {"type": "whatsapp_cloud", "phone_number_id": "1065", "access_token": "EAAGx", "app_secret": "s", "verify_token": "v"},
    ],
)
async def test_a_phone_to_pair_with_is_refused_by_other_integration_types(live, live_api, body):
    agent = await create_agent(live_api)
    response = await live_api.post(f"/api/agents/{agent['id']}/integrations", json={**body, "phone": "+15551140000"})
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {"field": "phone", "message": f"is not used by {body['type']} integrations; leave it out"}
    ]


async def test_health_counts_linked_devices_and_cloud_numbers_as_whatsapp_devices(
    live, live_api, fake_whatsapp, fake_graph
):
    agent = await create_agent(live_api)
    device, _ = await link_device(live_api, agent["id"], fake_whatsapp, "+15551140001")
    cloud = await connect_whatsapp_cloud(live_api, agent["id"], fake_graph, "1065000001", "EAAG-both-kinds")
    health = (await live_api.get("/api/health")).json()["results"]
    assert health["whatsapp"] == {"total_devices": 2, "connected_devices": 2}
    assert health["status"] == "healthy"

    qr = await live_api.get(f"/api/integrations/{cloud['id']}/qr")
    assert qr.status_code == 422 and "only WhatsApp linked devices pair" in qr.json()["message"]

    assert (await live_api.post(f"/api/integrations/{device['id']}/disconnect")).status_code == 200
    health = (await live_api.get("/api/health")).json()["results"]
    assert health["whatsapp"] == {"total_devices": 2, "connected_devices": 1}
    assert health["status"] == "degraded"
