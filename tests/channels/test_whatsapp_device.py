"""The linked-device adapter at neonize's boundary: pairing, resume on restart, states, messages, sends."""

from __future__ import annotations

import pytest
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import ExtendedTextMessage, ImageMessage, Message, ReactionMessage

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
