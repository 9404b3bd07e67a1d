"""Linked-device messages: several numbers in isolated conversations (plan 1.3/1.4), E.164 both
ways, LID senders mapped to their number, and what is ignored (own, status, groups, reactions)."""

from __future__ import annotations

import asyncio

import pytest
from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import (
    ExtendedTextMessage,
    ImageMessage,
    Message,
    ReactionMessage,
)

from tests.support.flows import create_agent, wait_until
from tests.support.whatsapp import link_device

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def conversations(api) -> list[dict]:
    return (await api.get("/api/conversations", params={"limit": 100})).json()["results"]


async def messages(api, conversation_id: int) -> list[dict]:
    return (await api.get(f"/api/conversations/{conversation_id}/messages")).json()["results"]


async def test_messages_from_several_numbers_get_replies_in_isolated_conversations(
    live, live_api, fake_whatsapp, logs
):
    agent = await create_agent(live_api)
    linked, device = await link_device(live_api, agent["id"], fake_whatsapp, "+15550100000")
    numbers = [f"+1555020000{n}" for n in range(5)]
    for round_ in range(2):
        for number in numbers:
            device.receive(number, f"{number} says {round_}")
    await wait_until(lambda: len(fake_whatsapp.sent) == 10, timeout=15, what="10 replies")

    for number in numbers:
        to = f"{number[1:]}@s.whatsapp.net"
        assert [s.text for s in fake_whatsapp.sent if s.to == to] == [f"Reply to: {number} says {n}" for n in range(2)]
    found = await conversations(live_api)
    assert sorted(c["remote_jid"] for c in found) == sorted(numbers)  # E.164: one per customer
    for conversation in found:
        texts = [m["text"] for m in await messages(live_api, conversation["id"])]
        assert len(texts) == 4 and all(conversation["remote_jid"] in t for t in texts)
        assert conversation["channel"] == "whatsapp" and conversation["agent_id"] == agent["id"]
    assert logs.count("💬 [AgentHandler] Processing message from +1555020000") == 10
    assert logs.count("✅ Response sent to +1555020000") == 10


async def test_a_lid_sender_is_the_same_customer_as_its_number(live, live_api, fake_whatsapp):
    agent = await create_agent(live_api)
    _, device = await link_device(live_api, agent["id"], fake_whatsapp, "+15550100001")
    device.receive("+15550300000", "from the number")
    await wait_until(lambda: len(fake_whatsapp.sent) == 1, what="first reply")
    device.receive("98765@lid", "as a LID, with the number alongside", sender_alt="15550300000@s.whatsapp.net")
    fake_whatsapp.lids["55555@lid"] = "15550300000@s.whatsapp.net"
    device.receive("55555@lid", "as a LID the store knows")
    await wait_until(lambda: len(fake_whatsapp.sent) == 3, what="three replies")

    found = await conversations(live_api)
    assert [c["remote_jid"] for c in found] == ["+15550300000"]
    assert len(await messages(live_api, found[0]["id"])) == 6
    assert {s.to for s in fake_whatsapp.sent} == {"15550300000@s.whatsapp.net"}


async def test_an_unknown_lid_is_a_customer_of_its_own_answered_at_that_address(live, live_api, fake_whatsapp):
    agent = await create_agent(live_api)
    _, device = await link_device(live_api, agent["id"], fake_whatsapp, "+15550100002")
    device.receive("424242@lid", "who am I")
    await wait_until(lambda: len(fake_whatsapp.sent) == 1, what="reply")
    assert fake_whatsapp.sent[0].to == "424242@lid"
    assert [c["remote_jid"] for c in await conversations(live_api)] == ["424242@lid"]


async def test_captions_extended_texts_and_media_reach_the_agent(live, live_api, fake_whatsapp):
    agent = await create_agent(live_api)
    _, device = await link_device(live_api, agent["id"], fake_whatsapp, "+15550100003")
    device.receive("+15550400000", message=Message(extendedTextMessage=ExtendedTextMessage(text="with a link https://x.y")))
    device.receive("+15550400000", message=Message(imageMessage=ImageMessage(caption="look at this")))
    device.receive("+15550400000", message=Message(imageMessage=ImageMessage()))
    await wait_until(lambda: len(fake_whatsapp.sent) == 3, what="three replies")
    found = await conversations(live_api)
    texts = [m["text"] for m in await messages(live_api, found[0]["id"]) if m["role"] == "user"]
    assert texts == ["with a link https://x.y", "look at this", "[image]"]


async def test_own_messages_statuses_groups_and_reactions_are_ignored(live, live_api, fake_whatsapp):
    agent = await create_agent(live_api)
    _, device = await link_device(live_api, agent["id"], fake_whatsapp, "+15550100004")
    device.receive("+15550100004", "sent from the phone itself", from_me=True, chat="15550500000@s.whatsapp.net")
    device.receive("+15550500001", "my status", chat="status@broadcast")
    device.receive("+15550500002", "hello group", chat="120363000000000001@g.us", group=True)
    device.receive("+15550500003", message=Message(reactionMessage=ReactionMessage(text="👍")))
    device.receive("+15550500004", "a real question")
    await wait_until(lambda: len(fake_whatsapp.sent) == 1, what="the one reply")
    await asyncio.sleep(0.2)
    assert [c["remote_jid"] for c in await conversations(live_api)] == ["+15550500004"]
    assert len(fake_whatsapp.sent) == 1


async def test_a_redelivered_message_is_stored_once(live, live_api, fake_whatsapp):
    agent = await create_agent(live_api)
    _, device = await link_device(live_api, agent["id"], fake_whatsapp, "+15550100005")
    device.receive("+15550600000", "once", message_id="3AREDELIVERED0001")
    device.receive("+15550600000", "once", message_id="3AREDELIVERED0001")
    await wait_until(lambda: len(fake_whatsapp.sent) == 1, what="reply")
    await asyncio.sleep(0.2)
    found = await conversations(live_api)
    assert len(await messages(live_api, found[0]["id"])) == 2 and len(fake_whatsapp.sent) == 1
