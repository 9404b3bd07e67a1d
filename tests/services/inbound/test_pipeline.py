"""The inbound pipeline end to end: fake Telegram and fake OpenAI over real HTTP, real database."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import Session, select

from ai_agents.core.types import AlertKind, MessageStatus
from ai_agents.db.models import Alert, Conversation, Message
from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "1001:AAtesttokenforthefakeservervalue0001"


async def test_customer_message_gets_ai_reply(live, live_api, fake_telegram, fake_openai, logs):
    agent = await create_agent(live_api, api_key="sk-agent-key-123456")
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, 501, "Hello, do you ship to Spain?")
    sent = await fake_telegram.awaited_sent(1, token=TOKEN)
    assert sent[0].chat_id == 501 and sent[0].text == "Reply to: Hello, do you ship to Spain?"
    request = fake_openai.requests()[0]
    assert request["api_key"] == "sk-agent-key-123456" and request["model"] == "gpt-4o-mini"
    assert request["messages"][0] == {"role": "system", "content": "You are Support Agent 1."}
    await wait_until(lambda: logs.count("✅ Response sent") == 1, what="response log")
    assert logs.count("💬 [AgentHandler] Processing message") == 1
    assert logs.count("✅ Telegram bot started") == 1
    assert "sk-agent-key-123456" not in logs.text and TOKEN not in logs.text


async def test_history_gives_the_model_the_conversation(live, live_api, fake_telegram, fake_openai):
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, 7, "My name is Ana")
    await fake_telegram.awaited_sent(1, token=TOKEN)
    fake_telegram.push_message(TOKEN, 7, "What is my name?")
    await fake_telegram.awaited_sent(2, token=TOKEN)
    second = fake_openai.requests()[1]["messages"]
    assert [m["role"] for m in second] == ["system", "user", "assistant", "user"]
    assert second[1]["content"] == "My name is Ana" and second[2]["content"] == "Reply to: My name is Ana"
    assert fake_openai.requests()[0]["api_key"] == "sk-default-test-key"  # agent without a key


async def test_messages_of_one_chat_are_answered_in_order(live, live_api, fake_telegram, fake_openai):
    fake_openai.set_latency(0.05)
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    for i in range(5):
        fake_telegram.push_message(TOKEN, 9, f"question {i}")
    sent = await fake_telegram.awaited_sent(5, token=TOKEN, timeout=15)
    assert [s.text for s in sent] == [f"Reply to: question {i}" for i in range(5)]


async def test_redelivered_update_is_not_answered_twice(live, live_api, fake_telegram, fake_openai):
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, 11, "hi", message_id=77)
    await fake_telegram.awaited_sent(1, token=TOKEN)
    fake_telegram.push_message(TOKEN, 11, "hi", message_id=77)  # same Telegram message again
    fake_telegram.push_message(TOKEN, 11, "next")
    sent = await fake_telegram.awaited_sent(2, token=TOKEN)
    assert [s.text for s in sent] == ["Reply to: hi", "Reply to: next"]
    await asyncio.sleep(0.2)
    assert len(fake_telegram.sent(token=TOKEN)) == 2 and len(fake_openai.requests()) == 2


async def test_inactive_agent_stays_silent_but_stores(live, live_api, fake_telegram, fake_openai):
    agent = await create_agent(live_api, is_active=False)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, 12, "anyone?")
    await wait_until(lambda: _statuses(live) == [MessageStatus.HANDLED], what="message handled")
    assert fake_telegram.sent(token=TOKEN) == [] and fake_openai.requests() == []


async def test_transient_llm_errors_are_retried(live, live_api, fake_telegram, fake_openai):
    fake_openai.fail(500, times=1)
    fake_openai.fail(429, times=1, retry_after=0)
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, 13, "still there?")
    sent = await fake_telegram.awaited_sent(1, token=TOKEN)
    assert sent[0].text == "Reply to: still there?" and len(fake_openai.requests()) == 3


@pytest.mark.parametrize("settings_overrides", [{"llm_retry_seconds": 1.0}])
async def test_lasting_llm_failure_keeps_message_and_raises_alert(live, live_api, fake_telegram, fake_openai, settings_overrides):
    fake_openai.fail(503, times=1000, message="overloaded")
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, 14, "help me")
    await wait_until(lambda: _statuses(live) == [MessageStatus.FAILED], what="message failed")
    with Session(live.ctx.engine) as session:
        message = session.exec(select(Message)).one()
        alert = session.exec(select(Alert)).one()
        conversation = session.exec(select(Conversation)).one()
    assert message.text == "help me" and "503" in message.error
    assert alert.kind == AlertKind.LLM_FAILURE and alert.conversation_id == conversation.id
    assert "503" in conversation.last_error
    attempts = len(fake_openai.requests())
    assert attempts > 1 and f"(after {attempts} attempts in " in message.error  # retried for LLM_RETRY_SECONDS
    assert fake_telegram.sent(token=TOKEN) == []


async def test_wrong_llm_key_fails_without_retries(live, live_api, fake_telegram, fake_openai):
    fake_openai.require_api_key("sk-the-right-one")
    agent = await create_agent(live_api, api_key="sk-the-wrong-one")
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, 15, "hello")
    await wait_until(lambda: _statuses(live) == [MessageStatus.FAILED], what="message failed")
    assert len(fake_openai.requests()) == 1


@pytest.mark.parametrize("settings_overrides", [{"max_concurrent_llm": 3}])
async def test_llm_calls_in_flight_are_bounded(live, live_api, fake_telegram, fake_openai, settings_overrides):
    fake_openai.set_latency(0.15)
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    for chat in range(10):
        fake_telegram.push_message(TOKEN, 1000 + chat, f"hi from {chat}")
    await fake_telegram.awaited_sent(10, token=TOKEN, timeout=20)
    assert fake_openai.max_in_flight == 3


def _statuses(live) -> list[str]:
    with Session(live.ctx.engine) as session:
        return [m.status for m in session.exec(select(Message).where(Message.role == "user"))]


async def test_turns_are_read_by_the_transactions_that_write_anyway(live, live_api, fake_telegram, fake_openai):
    """A message that finds its conversation idle has its turn read when it is stored; the next
    waiting one is read when the previous outcome is stored: the worker needs no read (a
    transaction) of its own, neither to find a message nor to find that nothing is left."""
    lookups: list[int] = []
    next_turn = live.pipeline._next_turn

    def counted(conversation_id: int):
        lookups.append(conversation_id)
        return next_turn(conversation_id)

    live.pipeline._next_turn = counted
    fake_openai.set_latency(0.2)
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, 12, "first")
    await fake_telegram.awaited_sent(1, token=TOKEN)
    await live.pipeline.drain()
    assert lookups == []
    for i in range(3):
        fake_telegram.push_message(TOKEN, 12, f"more {i}")
    sent = await fake_telegram.awaited_sent(4, token=TOKEN, timeout=15)
    await live.pipeline.drain()
    assert [s.text for s in sent][1:] == [f"Reply to: more {i}" for i in range(3)]
    assert lookups == []
