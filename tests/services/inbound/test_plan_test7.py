"""Plan Test 7: three WhatsApp devices, each linked to its own agent; messages matched by DeviceID,
then by JID (a device linked again), never mixed up under concurrency."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

from ai_agents.db.models import Integration
from ai_agents.db.session import session_scope
from ai_agents.services.inbound.routing import route
from ai_agents.services.ports import InboundMessage
from tests.support.flows import create_agent, wait_until
from tests.support.whatsapp import integration, link_device, wait_status


def agent_tagged_reply(body: dict, _api_key: str) -> str:
    return f"[{body['messages'][0]['content']}] {body['messages'][-1]['content']}"


async def test_three_devices_three_agents_matched_by_device_id_then_by_jid_after_relinking(
    live, live_api, fake_openai, fake_whatsapp, logs
):
    fake_openai.set_responder(agent_tagged_reply)
    fake_openai.set_latency(0.02)
    agents = [await create_agent(live_api, f"Support Agent {n}") for n in (1, 2, 3)]
    phones = ["+15557000001", "+15557000002", "+15557000003"]
    devices = [await link_device(live_api, a["id"], fake_whatsapp, p) for a, p in zip(agents, phones)]

    async def customers(device, base: int) -> None:
        for n in range(4):
            device.receive(f"+1555800{base}{n:03d}", f"to device {base} message {n}")
            await asyncio.sleep(0)

    await asyncio.gather(*(customers(client, i) for i, (_, client) in enumerate(devices)))
    await wait_until(lambda: len(fake_whatsapp.sent) == 12, timeout=20, what="12 replies")

    for i, ((linked, _), agent) in enumerate(zip(devices, agents)):
        sent = fake_whatsapp.sent_by(linked["id"])
        assert len(sent) == 4
        assert all(s.text.startswith(f"[You are {agent['name']}.] to device {i} ") for s in sent)
        assert all(s.to.startswith(f"1555800{i}") for s in sent)  # each device answers its own customers
        device_id = f"{phones[i][1:]}:7@s.whatsapp.net"
        assert logs.count(f"🔍 [AgentHandler] Matching integration by DeviceID: {device_id}") == 4
    assert logs.count("Matching integration by JID") == 0

    # 7.3: the second device is unlinked and linked again (a new DeviceID, the same account JID)
    (second, client) = devices[1]
    client.log_out_remotely()
    await wait_status(live_api, second["id"], "error")
    await live_api.post(f"/api/integrations/{second['id']}/pair")
    await wait_status(live_api, second["id"], "waiting_qr")
    relinked = fake_whatsapp.client(second["id"])
    relinked.scan(phones[1], device=12)
    row = await wait_status(live_api, second["id"], "connected")
    assert row["device_id"] == "15557000002:12@s.whatsapp.net" and row["jid"] == "15557000002@s.whatsapp.net"
    relinked.receive("+15558001999", "after relinking")
    await wait_until(lambda: len(fake_whatsapp.sent_by(second["id"])) == 5, what="reply after relinking")
    assert fake_whatsapp.sent[-1].text == "[You are Support Agent 2.] after relinking"


def inbound(integration_id: int, device_id: str | None, jid: str | None) -> InboundMessage:
    return InboundMessage(integration_id=integration_id, remote_id="+15550000000", text="hi", external_id="x",
                          timestamp=datetime.now(timezone.utc), device_id=device_id, jid=jid)


async def test_a_device_not_known_by_its_device_id_is_found_by_jid_and_remembered(
    live, live_api, fake_whatsapp, logs
):
    agents = [await create_agent(live_api, f"Agent {n}") for n in (1, 2)]
    first, _ = await link_device(live_api, agents[0]["id"], fake_whatsapp, "+15557100001")
    second, _ = await link_device(live_api, agents[1]["id"], fake_whatsapp, "+15557100002")
    engine = live.ctx.engine
    new_device = "15557100002:31@s.whatsapp.net"  # linked again while its new DeviceID was not stored

    with session_scope(engine) as session:
        found = route(session, inbound(second["id"], new_device, "15557100002@s.whatsapp.net"))
        assert found.id == second["id"] and found.agent_id == agents[1]["id"]
    assert logs.count(f"Matching integration by DeviceID: {new_device}") == 1
    assert logs.count("🔍 [AgentHandler] Matching integration by JID: 15557100002@s.whatsapp.net") == 1
    assert (await integration(live_api, second["id"]))["device_id"] == new_device  # remembered

    with session_scope(engine) as session:  # by DeviceID even when another device's adapter got it
        assert route(session, inbound(first["id"], new_device, None)).id == second["id"]
        assert session.get(Integration, first["id"]).device_id == "15557100001:7@s.whatsapp.net"
