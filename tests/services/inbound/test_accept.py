"""Accept: messages that arrive together are stored in one transaction, in order; a bad one alone fails."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from sqlmodel import Session, select

from ai_agents.db.models import Message
from ai_agents.services.inbound import accept
from ai_agents.services.ports import InboundMessage
from tests.support.flows import connect_bot, create_agent

TOKEN = "6006:AAaccepttesttokenvalue00000000000006"


async def test_messages_polled_together_are_stored_in_one_transaction(live, live_api, fake_telegram, monkeypatch):
    batches: list[int] = []
    store = accept.store

    def counted(ctx, inbounds, idle):
        batches.append(len(inbounds))
        return store(ctx, inbounds, idle)

    monkeypatch.setattr(accept, "store", counted)
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    for n in range(12):  # one getUpdates answer holds them all
        fake_telegram.push_message(TOKEN, 70 + n % 3, f"message {n}")
    await fake_telegram.awaited_sent(12, token=TOKEN, timeout=15)
    assert sum(batches) == 12 and len(batches) < 12 and max(batches) > 1
    with Session(live.ctx.engine) as session:
        stored = session.exec(select(Message.text).where(Message.role == "user").order_by(Message.id)).all()
    assert stored == [f"message {n}" for n in range(12)]  # in the order they came


async def test_a_caller_is_not_left_waiting_when_storing_is_cancelled(ctx, monkeypatch):
    monkeypatch.setattr(accept, "store", lambda ctx, inbounds, idle: time.sleep(0.3) or [None] * len(inbounds))
    batcher = accept.ArrivalBatcher(ctx, lambda conversation_id: True)
    message = InboundMessage(integration_id=1, remote_id="1", text="hi", external_id="1", timestamp=datetime.now(UTC))
    caller = asyncio.create_task(batcher.accept(message))
    await asyncio.sleep(0.05)
    batcher._storing.cancel()  # as when the platform stops while a batch is being stored
    try:
        async with asyncio.timeout(2):
            await caller
    except asyncio.CancelledError:
        pass  # told, not left waiting
    assert caller.done()
