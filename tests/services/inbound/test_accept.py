"""Accept: messages that arrive together are stored in one transaction, in order; a bad one alone fails."""

from __future__ import annotations

from sqlmodel import Session, select

from ai_agents.db.models import Message
from tests.support.flows import connect_bot, create_agent

TOKEN = "6006:AAaccepttesttokenvalue00000000000006"


async def test_messages_polled_together_are_stored_in_one_transaction(live, live_api, fake_telegram):
    batches: list[int] = []
    arrivals = live.pipeline.arrivals
    store = arrivals.store

    def counted(inbounds):
        batches.append(len(inbounds))
        return store(inbounds)

    arrivals.store = counted
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    for n in range(12):  # one getUpdates answer holds them all
        fake_telegram.push_message(TOKEN, 70 + n % 3, f"message {n}")
    await fake_telegram.awaited_sent(12, token=TOKEN, timeout=15)
    assert sum(batches) == 12 and len(batches) < 12 and max(batches) > 1
    with Session(live.ctx.engine) as session:
        stored = session.exec(select(Message.text).where(Message.role == "user").order_by(Message.id)).all()
    assert stored == [f"message {n}" for n in range(12)]  # in the order they came
