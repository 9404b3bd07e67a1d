"""The LLM is down for a minute: replies wait (retried within LLM_RETRY_SECONDS) and all arrive."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import Session, select

from ai_agents.core.clock import ManualClock
from ai_agents.db.models import Alert, Message
from tests.fakes.openai_server import default_responder
from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "5005:AAoutagetesttokenvalue00000000000005"
START = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


@pytest.fixture
def live_clock():
    return ManualClock(START)


def down_until(clock: ManualClock, recovers_at: datetime):
    """A responder: 503 until the clock reaches `recovers_at`, normal replies after."""

    def respond(body, api_key):
        if clock.now() < recovers_at:
            return {"status": 503, "message": "The engine is currently overloaded"}
        return default_responder(body, api_key)

    return respond


def clock_sleep(clock: ManualClock):
    """The pipeline's sleep: moves the clock instead of waiting, so a minute costs milliseconds."""

    async def sleep(seconds: float) -> None:
        clock.advance(seconds=seconds)
        await asyncio.sleep(0.001)

    return sleep


@pytest.mark.parametrize("settings_overrides", [{"max_concurrent_llm": 2}])
async def test_a_minute_long_outage_loses_nothing(live, live_api, fake_telegram, fake_openai, live_clock, settings_overrides):
    recovers_at = START + timedelta(seconds=60)
    fake_openai.set_responder(down_until(live_clock, recovers_at))
    live.pipeline.sleep = clock_sleep(live_clock)
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    chats = [701, 702, 703, 704]
    for n in range(3):
        for chat in chats:
            fake_telegram.push_message(TOKEN, chat, f"chat {chat} question {n}")
    await fake_telegram.awaited_sent(12, token=TOKEN, timeout=20)
    await asyncio.sleep(0.3)  # room for a duplicate to show up

    assert live_clock.now() >= recovers_at  # the outage really lasted a minute of clock time
    for chat in chats:
        texts = [s.text for s in fake_telegram.sent(token=TOKEN, chat_id=chat)]
        assert texts == [f"Reply to: chat {chat} question {n}" for n in range(3)]
    with Session(live.ctx.engine) as session:
        statuses = {m.status for m in session.exec(select(Message).where(Message.role == "user"))}
        assert statuses == {"handled"} and session.exec(select(Alert)).all() == []
    failed_calls = [r for r in fake_openai.requests() if r["status"] == 503]
    assert len(failed_calls) >= len(chats)  # every conversation met the outage


@pytest.mark.parametrize("settings_overrides", [{"llm_retry_seconds": 120}])
async def test_an_outage_longer_than_the_retry_budget_fails_with_an_alert(
    live, live_api, fake_telegram, fake_openai, live_clock, settings_overrides
):
    fake_openai.set_responder(down_until(live_clock, START + timedelta(hours=1)))
    live.pipeline.sleep = clock_sleep(live_clock)
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, 710, "anyone?")

    def failed() -> list[Message]:
        with Session(live.ctx.engine) as session:
            return list(session.exec(select(Message).where(Message.status == "failed")))

    await wait_until(failed, what="the message failed")
    error = failed()[0].error
    assert "503" in error and "attempts in 120s" in error
    assert live_clock.now() - START == timedelta(seconds=120)  # retried for the whole budget, no longer
    with Session(live.ctx.engine) as session:
        assert [a.kind for a in session.exec(select(Alert))] == ["llm_failure"]
    assert fake_telegram.sent(token=TOKEN) == []
