"""The linked-device endpoints: QR code (payload and image, rotating), pairing by phone code,
disconnect (session kept), logout (session forgotten), and health's device counts (plan 8.1/8.2)."""

from __future__ import annotations

import pytest

from tests.support.flows import create_agent, wait_until
from tests.support.whatsapp import add_device, link_device, wait_status

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def qr_of(api, integration_id: int) -> dict:
    response = await api.get(f"/api/integrations/{integration_id}/qr")
    assert response.status_code == 200, response.text
    return response.json()["results"]


async def test_the_qr_endpoint_gives_the_current_code_and_its_image_as_codes_rotate(live, live_api, fake_whatsapp):
    agent = await create_agent(live_api)
    created, client = await add_device(live_api, agent["id"], fake_whatsapp)
    first = await qr_of(live_api, created["id"])
    assert first["status"] == "waiting_qr" and first["qr"].startswith("2@fake-")
    assert first["qr_svg"].startswith("<svg") and first["qr_image"].startswith("data:image/svg+xml")
    assert "Linked devices" in first["instructions"]

    client.show_qr("2@rotated,key,identity,adv")

    async def rotated() -> bool:
        return (await qr_of(live_api, created["id"]))["qr"] == "2@rotated,key,identity,adv"

    await wait_until(rotated, what="the next QR code")
    second = await qr_of(live_api, created["id"])
    assert second["qr_svg"] != first["qr_svg"]
    client.scan("+15551110000")
    await wait_status(live_api, created["id"], "connected")
    linked = await qr_of(live_api, created["id"])
    assert linked["qr"] is None and linked["connected"] is True and linked["phone_number"] == "+15551110000"


async def test_pairing_by_phone_code_when_connecting(live, live_api, fake_whatsapp):
    agent = await create_agent(live_api)
    created, client = await add_device(live_api, agent["id"], fake_whatsapp, phone="+1 (555) 111-0001")

    async def code_ready() -> bool:
        return (await qr_of(live_api, created["id"]))["pair_code"] == "ABCD-1234"

    await wait_until(code_ready, what="the pairing code")
    view = await qr_of(live_api, created["id"])
    assert view["pair_phone"] == "+15551110001" and "phone number instead" in view["instructions"]
    assert client.pair_phone_number == "15551110001"
    client.scan("+15551110001")
    await wait_status(live_api, created["id"], "connected")


async def test_pairing_by_phone_code_on_request_returns_the_code(live, live_api, fake_whatsapp):
    agent = await create_agent(live_api)
    created, _ = await add_device(live_api, agent["id"], fake_whatsapp)
    response = await live_api.post(f"/api/integrations/{created['id']}/pair", json={"phone": "+15551110002"})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["pair_code"] == "ABCD-1234"


@pytest.mark.parametrize("path", ["/api/agents/{agent}/integrations", "/api/integrations/{integration}/pair"])
async def test_a_bad_phone_number_names_the_field(live, live_api, fake_whatsapp, path):
    agent = await create_agent(live_api)
    created, _ = await add_device(live_api, agent["id"], fake_whatsapp)
    body = {"phone": "call me"} | ({"type": "whatsapp"} if "agents" in path else {})
    response = await live_api.post(path.format(agent=agent["id"], integration=created["id"]), json=body)
    assert response.status_code == 422
    assert "phone: must be a phone number in E.164 form" in response.json()["message"]


async def test_a_linked_device_must_log_out_before_pairing_again(live, live_api, fake_whatsapp):
    agent = await create_agent(live_api)
    linked, _ = await link_device(live_api, agent["id"], fake_whatsapp, "+15551110003")
    response = await live_api.post(f"/api/integrations/{linked['id']}/pair")
    assert response.status_code == 409 and response.json()["code"] == "PAIRING_REFUSED"
    assert "logout first" in response.json()["message"]


async def test_a_telegram_bot_has_no_qr_code(live, live_api, fake_telegram):
    from tests.support.flows import connect_bot

    agent = await create_agent(live_api)
    bot = await connect_bot(live_api, agent["id"], fake_telegram, "5101:AAqrtestbottokenvalue00000000000001")
    response = await live_api.get(f"/api/integrations/{bot['id']}/qr")
    assert response.status_code == 422 and "only WhatsApp linked devices pair" in response.json()["message"]


async def test_health_counts_devices_and_a_disconnect_degrades_it_until_start(live, live_api, fake_whatsapp):
    agent = await create_agent(live_api)
    devices = [await link_device(live_api, agent["id"], fake_whatsapp, f"+1555112000{n}") for n in range(3)]
    health = (await live_api.get("/api/health")).json()["results"]
    assert health["status"] == "healthy"
    assert health["whatsapp"] == {"total_devices": 3, "connected_devices": 3}

    (first, client) = devices[0]
    response = await live_api.post(f"/api/integrations/{first['id']}/disconnect")
    assert response.status_code == 200, response.text
    view = response.json()["results"]
    assert view["status"] == "stopped" and "the session is kept" in view["last_error"]
    assert client.stopped.is_set()
    health = (await live_api.get("/api/health")).json()["results"]
    assert health["whatsapp"] == {"total_devices": 3, "connected_devices": 2}
    assert health["status"] == "degraded"

    assert (await live_api.post(f"/api/integrations/{first['id']}/start")).status_code == 200
    await wait_status(live_api, first["id"], "connected")
    assert fake_whatsapp.client(first["id"]).resumed  # reconnected without a QR code
    assert (await live_api.get("/api/health")).json()["results"]["status"] == "healthy"


async def test_logout_unlinks_forgets_the_session_and_disables(live, live_api, fake_whatsapp, tmp_path):
    agent = await create_agent(live_api)
    linked, client = await link_device(live_api, agent["id"], fake_whatsapp, "+15551130000")
    session = client.session
    response = await live_api.post(f"/api/integrations/{linked['id']}/logout")
    assert response.status_code == 200, response.text
    view = response.json()["results"]
    assert view["status"] == "stopped" and view["device_id"] is None and "pair to link a device again" in view["last_error"]
    assert fake_whatsapp.sessions[session] == []  # unlinked on WhatsApp's side
    row = (await live_api.get(f"/api/integrations/{linked['id']}")).json()["results"]
    assert row["is_enabled"] is False
    health = (await live_api.get("/api/health")).json()["results"]
    assert health["status"] == "healthy" and health["whatsapp"]["connected_devices"] == 0

    assert (await live_api.post(f"/api/integrations/{linked['id']}/pair")).status_code == 200
    await wait_status(live_api, linked["id"], "waiting_qr")
    assert not fake_whatsapp.client(linked["id"]).resumed


async def test_logout_of_a_stopped_device_forgets_its_session_file(live, live_api, fake_whatsapp):
    agent = await create_agent(live_api)
    linked, client = await link_device(live_api, agent["id"], fake_whatsapp, "+15551130001")
    await live_api.post(f"/api/integrations/{linked['id']}/stop")
    open(client.session, "w").close()  # the fake keeps sessions in memory; a real store is this file
    response = await live_api.post(f"/api/integrations/{linked['id']}/logout")
    assert response.status_code == 200, response.text
    import os

    assert not os.path.exists(client.session)
