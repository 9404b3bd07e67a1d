"""Faults inside a turn: each ends as a failed message with a reason and an alert, and the chat's
next message is answered; database errors are retried; LLM calls have a total deadline."""

from __future__ import annotations

import asyncio
import time
from functools import partial

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from ai_agents.core.types import AlertKind, MessageStatus
from ai_agents.crypto import SecretBox
from ai_agents.db.models import Agent, Alert, Message
from ai_agents.services.inbound import accept
from ai_agents.services.translation import translate_for_agent
from tests.fakes.openai_server import default_responder
from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "6006:AAfaulttesttokenvalue0000000000000006"


def user_messages(live) -> list[Message]:
    with Session(live.ctx.engine) as session:
        return list(session.exec(select(Message).where(Message.role == "user").order_by(Message.id)))


def alerts(live) -> list[Alert]:
    with Session(live.ctx.engine) as session:
        return list(session.exec(select(Alert).order_by(Alert.id)))


async def first_fails_then_second_is_answered(live, fake_telegram, chat: int, fix=None) -> Message:
    """The chat's first message fails with an alert; after `fix`, its next message is answered."""
    fake_telegram.push_message(TOKEN, chat, "first")
    await wait_until(lambda: [m.status for m in user_messages(live)] == [MessageStatus.FAILED], what="first failed")
    failed = user_messages(live)[0]
    assert [(a.kind, a.message_id) for a in alerts(live)] == [(AlertKind.LLM_FAILURE, failed.id)]
    assert failed.error in alerts(live)[0].text
    if fix is not None:
        await fix()
    fake_telegram.push_message(TOKEN, chat, "second")
    sent = await fake_telegram.awaited_sent(1, token=TOKEN)
    assert [s.text for s in sent] == ["Reply to: second"]
    assert [m.status for m in user_messages(live)] == [MessageStatus.FAILED, MessageStatus.HANDLED]
    return failed


async def test_a_web_page_at_base_url_is_a_readable_failure(live, live_api, fake_telegram, fake_openai, logs):
    agent = await create_agent(live_api, api_key="sk-agent-key-123456", base_url=fake_openai.base_url + "/web/v1")
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)

    async def fix():
        response = await live_api.patch(f"/api/agents/{agent['id']}", json={"base_url": fake_openai.base_url + "/v1", "keep_api_key": True})
        assert response.status_code == 200, response.text

    failed = await first_fails_then_second_is_answered(live, fake_telegram, 51, fix)
    assert f"the server at {fake_openai.base_url}/web/v1" in failed.error
    assert "did not answer like an OpenAI-compatible API" in failed.error and "It works!" in failed.error
    assert "after 1 attempt" in failed.error  # a wrong URL is not retried
    assert logs.count("❌ [AgentHandler] No reply for conversation") == 1


async def test_a_key_that_cannot_be_decrypted_is_a_readable_failure(live, live_api, fake_telegram, fake_openai):
    agent = await create_agent(live_api, api_key="sk-agent-key-123456")
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    foreign = SecretBox("a-different-secret-key-0123456789").encrypt("sk-agent-key-123456")
    with Session(live.ctx.engine) as session:
        stored = session.get(Agent, agent["id"])
        stored.api_key_encrypted = foreign
        session.add(stored)
        session.commit()

    async def fix():
        response = await live_api.patch(f"/api/agents/{agent['id']}", json={"api_key": "sk-agent-key-654321"})
        assert response.status_code == 200, response.text

    failed = await first_fails_then_second_is_answered(live, fake_telegram, 52, fix)
    assert "API key cannot be read" in failed.error and foreign not in failed.error and "sk-agent" not in failed.error
    assert [r["api_key"] for r in fake_openai.requests()] == ["sk-agent-key-654321"]


async def test_an_error_in_a_stage_fails_only_that_message(live, live_api, fake_telegram, fake_openai, logs):
    async def exploding(pipeline, turn):
        if turn.message.text == "first":
            raise RuntimeError("stage blew up near sk-leakedkey1234567890")

    live.pipeline.stages.insert(2, exploding)
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    failed = await first_fails_then_second_is_answered(live, fake_telegram, 53)
    assert "internal error in stage exploding: RuntimeError: stage blew up" in failed.error
    assert "sk-leakedkey" not in failed.error and "sk-leakedkey" not in logs.text


async def test_database_errors_reading_the_next_message_are_retried_with_backoff(
    live, live_api, fake_telegram, fake_openai, logs
):
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    failures_left, pauses = [3], []

    def failing_next_message(conn, cursor, statement, parameters, context, executemany):
        next_message = "FROM messages" in statement and "status = 'received'" in statement and "LIMIT" in statement
        if next_message and failures_left[0] > 0:
            failures_left[0] -= 1
            raise OperationalError(statement, parameters, Exception("database is locked (injected)"))

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        await asyncio.sleep(0)

    live.pipeline.sleep = pause
    # As for a message that lands while its worker is busy, or is left from before a restart: the
    # worker reads the message itself (an idle worker's first turn is read when it is stored).
    live.pipeline.arrivals.store = partial(accept.store, live.ctx, idle=lambda conversation_id: False)
    event.listen(live.ctx.engine, "before_cursor_execute", failing_next_message)
    try:
        fake_telegram.push_message(TOKEN, 54, "hello")
        sent = await fake_telegram.awaited_sent(1, token=TOKEN)
    finally:
        event.remove(live.ctx.engine, "before_cursor_execute", failing_next_message)
    assert [s.text for s in sent] == ["Reply to: hello"] and failures_left == [0]
    assert len(pauses) == 3 and all(p > 0 for p in pauses)  # backoff, no tight loop
    assert logs.count("❌ [AgentHandler] Conversation") == 1  # logged once, not per retry
    assert "database is locked (injected)" in logs.text and "SELECT" not in logs.text
    assert logs.count("handling resumed after 3 failures") == 1


@pytest.mark.parametrize("settings_overrides", [{"llm_timeout_seconds": 1, "llm_retry_seconds": 1.5, "max_concurrent_llm": 1}])
async def test_a_slow_drip_llm_call_is_cut_at_its_deadline(live, live_api, fake_telegram, fake_openai, settings_overrides):
    def drip_for_slow(body, api_key):
        return {"drip": 0.2} if "slow" in body["messages"][-1]["content"] else default_responder(body, api_key)

    fake_openai.set_responder(drip_for_slow)
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, 55, "slow please")
    await wait_until(lambda: fake_openai.in_flight + len(fake_openai.requests()) > 0, what="the drip started")
    fake_telegram.push_message(TOKEN, 56, "hi")  # needs the only LLM slot
    sent = await fake_telegram.awaited_sent(1, token=TOKEN, timeout=8)
    assert sent[0].text == "Reply to: hi"
    await wait_until(lambda: MessageStatus.FAILED in [m.status for m in user_messages(live)], what="slow one failed")
    failed = next(m for m in user_messages(live) if m.status == MessageStatus.FAILED)
    assert failed.text == "slow please" and "no complete answer within 1s" in failed.error


@pytest.mark.parametrize("settings_overrides", [{"llm_timeout_seconds": 1}])
async def test_a_slow_drip_translation_gives_up_at_its_deadline(ctx, api, fake_openai, settings_overrides):
    fake_openai.set_responder(lambda body, api_key: {"drip": 0.2})
    agent = await create_agent(api, api_key="sk-agent-key-123456", base_url=fake_openai.base_url + "/v1")
    with Session(ctx.engine) as session:
        stored = session.get(Agent, agent["id"])
    started = time.monotonic()
    result = await asyncio.wait_for(translate_for_agent(ctx, stored, "Hola", "es", "en"), 10)
    assert result is None and time.monotonic() - started < 3
