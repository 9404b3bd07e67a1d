"""A linked device's pairing changes are published (the Integrations page follows the QR code live)."""

from __future__ import annotations

import asyncio

import pytest

from ai_agents.services.workspace.devices import PAIRING_EVENT, pairing_view
from tests.support.flows import create_agent
from tests.support.whatsapp import add_device, wait_status

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def next_event(events) -> dict:
    return await asyncio.wait_for(events.get(), timeout=5)


async def test_each_new_qr_code_and_the_link_are_published_without_the_code(live, live_api, fake_whatsapp):
    agent = await create_agent(live_api)
    async with live.ctx.live.subscribe([PAIRING_EVENT]) as events:
        created, client = await add_device(live_api, agent["id"], fake_whatsapp)
        assert await next_event(events) == {"kind": PAIRING_EVENT, "integration_id": created["id"]}
        client.show_qr("2@rotated,key,identity,adv")
        assert await next_event(events) == {"kind": PAIRING_EVENT, "integration_id": created["id"]}
        assert pairing_view(live.ctx, created["id"])["qr"] == "2@rotated,key,identity,adv"
        client.scan("+15551112222")
        await wait_status(live_api, created["id"], "connected")
        assert await next_event(events) == {"kind": PAIRING_EVENT, "integration_id": created["id"]}
        assert pairing_view(live.ctx, created["id"])["qr"] is None
