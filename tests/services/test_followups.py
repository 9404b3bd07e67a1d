"""Plan Test 6 and 9.3: follow-ups after silence, 'only if no reply', the maximum, many at once."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlmodel import Session, select

from ai_agents.core.clock import ManualClock
from ai_agents.db.models import Message
from ai_agents.services.followups import run_follow_ups
from tests.api.test_settings import PLAN_FOLLOW_UP
from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "1313:AAfollowuptesttokenvalue0000000013"
FIRST, SECOND = PLAN_FOLLOW_UP["follow_up"]["messages"]


@pytest.fixture
def live_clock():
    return ManualClock(datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))


async def setup_chat(api, fake_telegram, chat_id: int = 20) -> None:
    agent = await create_agent(api)
    assert (await api.put(f"/api/agents/{agent['id']}/settings", json=PLAN_FOLLOW_UP)).status_code == 200
    await connect_bot(api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, chat_id, "What are your prices?")
    await fake_telegram.awaited_sent(1, token=TOKEN, chat_id=chat_id)


async def test_follow_ups_after_silence_up_to_the_maximum(live, live_api, fake_telegram, live_clock, logs):
    await setup_chat(live_api, fake_telegram)
    live_clock.advance(minutes=4)
    assert await run_follow_ups(live.ctx) == 0  # not yet
    live_clock.advance(minutes=1, seconds=1)
    assert await run_follow_ups(live.ctx) == 1
    sent = await fake_telegram.awaited_sent(2, token=TOKEN)
    assert sent[-1].text == FIRST
    assert logs.count("📢 Follow-up worker: Sending follow-up to 20") == 1
    assert await run_follow_ups(live.ctx) == 0  # the delay counts from the follow-up itself
    live_clock.advance(minutes=5, seconds=1)
    assert await run_follow_ups(live.ctx) == 1
    assert (await fake_telegram.awaited_sent(3, token=TOKEN))[-1].text == SECOND
    for _ in range(3):
        live_clock.advance(minutes=6)
        assert await run_follow_ups(live.ctx) == 0
    assert logs.count("⏭️  Follow-up worker: Max follow-ups reached") == 1  # logged once, not every tick
    with Session(live.ctx.engine) as session:
        kinds = [m.kind for m in session.exec(select(Message).order_by(Message.id))]
    assert kinds == ["chat", "reply", "follow_up", "follow_up"]  # stored in the conversation


async def test_customer_reply_restarts_the_sequence(live, live_api, fake_telegram, live_clock):
    await setup_chat(live_api, fake_telegram)
    live_clock.advance(minutes=5, seconds=1)
    assert await run_follow_ups(live.ctx) == 1
    fake_telegram.push_message(TOKEN, 20, "Thanks, and delivery?")
    await fake_telegram.awaited_sent(3, token=TOKEN)
    live_clock.advance(minutes=5, seconds=1)
    assert await run_follow_ups(live.ctx) == 1
    assert (await fake_telegram.awaited_sent(4, token=TOKEN))[-1].text == FIRST  # number 1 again


async def test_unanswered_customer_message_skips_follow_up(live, live_api, fake_telegram, fake_openai, live_clock, logs):
    await setup_chat(live_api, fake_telegram)
    fake_openai.fail(401, times=10)  # a lasting error: the AI cannot answer the customer's reply
    live_clock.advance(minutes=1)
    fake_telegram.push_message(TOKEN, 20, "Hello?")
    await wait_until(lambda: len(fake_openai.requests()) >= 2, what="LLM attempt")
    await live.pipeline.drain()
    live_clock.advance(minutes=6)
    assert await run_follow_ups(live.ctx) == 0
    assert await run_follow_ups(live.ctx) == 0
    assert logs.count("⏭️  Follow-up worker: User replied, skipping follow-up") == 1


async def test_no_follow_ups_in_manual_mode(live, live_api, fake_telegram, live_clock):
    await setup_chat(live_api, fake_telegram)
    conversation = (await live_api.get("/api/conversations")).json()["results"][0]["id"]
    await live_api.post(f"/api/conversations/{conversation}/takeover")
    live_clock.advance(minutes=10)
    assert await run_follow_ups(live.ctx) == 0


async def test_fifty_due_at_once_are_sent_exactly_once(live, live_api, fake_telegram, live_clock):
    agent = await create_agent(live_api)
    await live_api.put(f"/api/agents/{agent['id']}/settings", json=PLAN_FOLLOW_UP)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    for chat in range(50):
        fake_telegram.push_message(TOKEN, 3000 + chat, "hi")
    await fake_telegram.awaited_sent(50, token=TOKEN, timeout=30)
    live_clock.advance(minutes=5, seconds=1)
    assert await run_follow_ups(live.ctx) == 50
    assert await run_follow_ups(live.ctx) == 0
    live_clock.advance(seconds=2)  # per-chat pacing
    sent = await fake_telegram.awaited_sent(100, token=TOKEN, timeout=30)
    follow_ups = [s for s in sent if s.text == FIRST]
    assert sorted(s.chat_id for s in follow_ups) == list(range(3000, 3050))
