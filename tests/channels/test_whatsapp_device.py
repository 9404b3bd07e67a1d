"""The linked-device adapter at neonize's boundary: pairing, resume on restart, states, messages, sends."""

from __future__ import annotations

import asyncio
import os

import pytest

from tests.support.flows import create_agent, wait_until
from tests.support.whatsapp import add_device, integration, link_device, wait_status

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def test_qr_pairing_connects_stores_jid_and_device_id(live, live_api, fake_whatsapp, logs):
    agent = await create_agent(live_api)
    created, client = await add_device(live_api, agent["id"], fake_whatsapp)
    assert created["provider"] == "whatsapp_device" and created["external_id"] is None

    client.scan("+15550001111", device=7, push_name="Acme")
    row = await wait_status(live_api, created["id"], "connected")

    assert row["connected"] is True
    assert row["device_id"] == "15550001111:7@s.whatsapp.net"
    assert row["jid"] == "15550001111@s.whatsapp.net"
    assert row["external_id"] == "+15550001111"
    assert row["display_name"] == "+15550001111 (Acme)"
    assert logs.count("✅ WhatsApp device connected: +15550001111") == 1


async def test_a_restart_resumes_the_session_without_a_new_qr_code(
    database_url, tmp_path, fake_openai, fake_whatsapp
):
    from ai_agents.config import load_settings
    from ai_agents.core.types import Provider
    from ai_agents.runtime.lifespan import platform
    from tests.conftest import whatsapp_options

    settings = load_settings(database_url=database_url, data_dir=tmp_path / "data", secret_key="test-secret-key-0123456789")
    options = {Provider.WHATSAPP_DEVICE: whatsapp_options(fake_whatsapp)}

    async def api_of(running):
        import httpx

        from ai_agents.api import build_api

        return httpx.AsyncClient(transport=httpx.ASGITransport(app=build_api(running.slot)), base_url="http://t")

    async with platform(settings, adapter_options=options) as running:
        async with await api_of(running) as api:
            agent = await create_agent(api)
            linked, client = await link_device(api, agent["id"], fake_whatsapp, "+15550002222")
    assert client.stopped.is_set()  # the server stopped its client

    async with platform(settings, adapter_options=options) as running:
        async with await api_of(running) as api:
            row = await wait_status(api, linked["id"], "connected")
            resumed = fake_whatsapp.client(linked["id"])
            assert resumed is not client and resumed.resumed and not resumed.qr_shown
            assert row["device_id"] == "15550002222:7@s.whatsapp.net"
            qr = (await api.get(f"/api/integrations/{linked['id']}/qr")).json()["results"]
            assert qr["connected"] is True and qr["qr"] is None


async def test_a_dropped_connection_shows_reconnecting_then_connected(live, live_api, fake_whatsapp):
    agent = await create_agent(live_api)
    linked, client = await link_device(live_api, agent["id"], fake_whatsapp, "+15550003333")
    client.drop()
    row = await wait_status(live_api, linked["id"], "error")
    assert row["last_error"] == "connection to WhatsApp lost; reconnecting"
    health = (await live_api.get("/api/health")).json()["results"]
    assert health["whatsapp"] == {"total_devices": 1, "connected_devices": 0}
    client.reconnect()
    await wait_status(live_api, linked["id"], "connected")


async def test_a_client_that_cannot_connect_is_retried_with_backoff(live, live_api, fake_whatsapp):
    fake_whatsapp.offline = True
    agent = await create_agent(live_api)
    response = await live_api.post(f"/api/agents/{agent['id']}/integrations", json={"type": "whatsapp"})
    integration_id = response.json()["results"]["id"]
    row = await wait_status(live_api, integration_id, "error")
    assert row["last_error"].startswith("could not connect to WhatsApp (RuntimeError: dial tcp")
    await wait_until(lambda: fake_whatsapp.built >= 3, what="new clients after failures")
    fake_whatsapp.offline = False
    await wait_status(live_api, integration_id, "waiting_qr")


@pytest.mark.parametrize(
    ("happen", "reason_starts"),
    [
        (lambda c: c.log_out_remotely(), "logged out (logged out): the device was removed in WhatsApp > Linked devices"),
        (lambda c: c.ban(expire=1800), "WhatsApp temporarily banned this number (sent the same message too often) for about 30 min"),
        (lambda c: c.replace_stream(), "another connection took over this device's session (stream replaced)"),
    ],
    ids=["logged-out", "banned", "stream-replaced"],
)
async def test_a_stopped_device_says_why_and_what_to_do(live, live_api, fake_whatsapp, happen, reason_starts):
    agent = await create_agent(live_api)
    linked, client = await link_device(live_api, agent["id"], fake_whatsapp, "+15550004444")
    happen(client)
    row = await wait_status(live_api, linked["id"], "error")
    assert row["last_error"].startswith(reason_starts)
    assert f"/api/integrations/{linked['id']}/pair" in row["last_error"] or "reconnects after that" in row["last_error"]
    assert client.stopped.is_set()
    built = fake_whatsapp.built
    await asyncio.sleep(0.3)  # retries come after 0.01 s here: a retry would have happened
    assert fake_whatsapp.built == built  # it waits for a person (or the ban's end): no new client


async def test_logged_out_from_the_phone_forgets_the_device_and_pairs_again_on_request(
    live, live_api, fake_whatsapp
):
    agent = await create_agent(live_api)
    linked, client = await link_device(live_api, agent["id"], fake_whatsapp, "+15550005555")
    client.log_out_remotely()
    row = await wait_status(live_api, linked["id"], "error")
    assert row["device_id"] is None and row["jid"] == "15550005555@s.whatsapp.net"  # the number stays known

    response = await live_api.post(f"/api/integrations/{linked['id']}/pair")
    assert response.status_code == 200, response.text
    await wait_status(live_api, linked["id"], "waiting_qr")
    again = fake_whatsapp.client(linked["id"])
    assert again is not client and not again.resumed and again.qr_shown


async def test_a_replaced_stream_reconnects_the_same_session_on_request(live, live_api, fake_whatsapp):
    agent = await create_agent(live_api)
    linked, client = await link_device(live_api, agent["id"], fake_whatsapp, "+15550006666")
    client.replace_stream()
    await wait_status(live_api, linked["id"], "error")
    assert (await live_api.post(f"/api/integrations/{linked['id']}/pair")).status_code == 200
    await wait_status(live_api, linked["id"], "connected")
    assert fake_whatsapp.client(linked["id"]).resumed  # no new QR code: the session was kept


async def test_an_expired_qr_code_says_how_to_get_a_new_one(live, live_api, fake_whatsapp):
    agent = await create_agent(live_api)
    created, client = await add_device(live_api, agent["id"], fake_whatsapp)
    client.expire_qr()
    row = await wait_status(live_api, created["id"], "error")
    assert row["last_error"].startswith(f"the QR code expired before it was scanned: POST /api/integrations/{created['id']}/pair")
    qr = (await live_api.get(f"/api/integrations/{created['id']}/qr")).json()["results"]
    assert qr["qr"] is None  # the expired code is not offered any more
    await live_api.post(f"/api/integrations/{created['id']}/pair")
    await wait_status(live_api, created["id"], "waiting_qr")
    assert (await live_api.get(f"/api/integrations/{created['id']}/qr")).json()["results"]["qr"]


async def test_more_devices_than_the_default_executors_workers_leave_the_database_work_running(
    live, live_api, fake_whatsapp
):
    workers = min(32, (os.cpu_count() or 1) + 4)  # asyncio's default executor
    agent = await create_agent(live_api)
    clients = [(await add_device(live_api, agent["id"], fake_whatsapp))[1] for _ in range(workers + 1)]
    for client in clients:
        await asyncio.to_thread(client.running.wait, 10)
    assert all(client.running.is_set() for client in clients)  # every device's client is running
    # Database work and the stages still get worker threads: the API answers at once.
    listed = await asyncio.wait_for(live_api.get(f"/api/agents/{agent['id']}/integrations"), 10)
    assert listed.status_code == 200 and len(listed.json()["results"]) == workers + 1
