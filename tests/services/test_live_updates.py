"""Live updates: subscribers get only the kinds and conversation they asked for, from any thread."""

from __future__ import annotations

import asyncio
import threading

from ai_agents.services import live_updates
from ai_agents.services.live_updates import LiveUpdates


async def test_filters_by_kind_and_conversation():
    live = LiveUpdates()
    async with live.subscribe(["message"], conversation_id=7) as chat, live.subscribe(["alert", "message"]) as board:
        live.publish("message", conversation_id=8, message_id=1)
        live.publish("alert", alert_id=3, conversation_id=7)
        live.publish("message", conversation_id=7, message_id=2)
        assert chat.drain() == [{"kind": "message", "conversation_id": 7, "message_id": 2}]
        assert [e["kind"] for e in board.drain()] == ["message", "alert", "message"]
        assert live.subscriber_count == 2
    assert live.subscriber_count == 0  # leaving the block unsubscribes


async def test_publish_from_another_thread_reaches_the_subscriber_loop():
    live = LiveUpdates()
    async with live.subscribe() as everything:
        thread = threading.Thread(target=live.publish, args=("conversation",), kwargs={"conversation_id": 1})
        thread.start()
        event = await asyncio.wait_for(anext(aiter(everything)), timeout=2)
        thread.join()
    assert event == {"kind": "conversation", "conversation_id": 1}


async def test_a_slow_subscriber_loses_the_oldest_events(monkeypatch):
    monkeypatch.setattr(live_updates, "QUEUE_SIZE", 3)
    live = LiveUpdates()
    async with live.subscribe() as slow:
        for n in range(5):
            live.publish("message", message_id=n)
        assert [e["message_id"] for e in slow.drain()] == [2, 3, 4]


async def test_a_failed_send_is_published_for_its_conversation(live, live_api, fake_telegram):
    """The dispatcher tells live views when a send fails for good (the message's status and the
    delivery-failure alert change), not only when it succeeds."""
    from tests.support.flows import connect_bot, create_agent, wait_until

    token = "7007:AAliveupdatesfailuretokenvalue0000007"
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, token)
    fake_telegram.push_message(token, 77, "hello")
    await fake_telegram.awaited_sent(1, token=token)
    conversation_id = (await live_api.get("/api/conversations")).json()["results"][0]["id"]
    fake_telegram.block_chat(token, 77)
    async with live.ctx.live.subscribe(["outbox_failed"], conversation_id=conversation_id) as failures:
        sent = await live_api.post(f"/api/conversations/{conversation_id}/messages", json={"message": "still there?"})
        assert sent.status_code == 201
        events: list[dict] = []

        def arrived():
            events.extend(failures.drain())
            return events

        await wait_until(arrived, what="the failed send published")
    assert events[0]["final"] is True and events[0]["conversation_id"] == conversation_id
