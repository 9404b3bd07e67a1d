"""Tests for FakeOpenAI driven over real HTTP by the openai AsyncOpenAI client."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import openai
import pytest

from tests.fakes.openai_server import FakeOpenAI

USER = [{"role": "user", "content": "Where is my order?"}]


@pytest.fixture
async def client(fake_openai: FakeOpenAI) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(base_url=f"{fake_openai.base_url}/v1", api_key="sk-test",
                                  max_retries=0, timeout=5) as client:
        yield client


async def test_default_reply_echoes_last_user_message(fake_openai: FakeOpenAI,
                                                      client: openai.AsyncOpenAI) -> None:
    messages = [{"role": "system", "content": "Be nice."}, *USER]
    completion = await client.chat.completions.create(model="gpt-4o-mini", messages=messages,
                                                      temperature=0.2)
    assert completion.id.startswith("chatcmpl-") and completion.object == "chat.completion"
    assert completion.model == "gpt-4o-mini"
    choice = completion.choices[0]
    assert choice.message.role == "assistant" and choice.finish_reason == "stop"
    assert choice.message.content == "Reply to: Where is my order?"
    usage = completion.usage
    assert usage is not None and usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    [request] = fake_openai.requests()
    assert request["api_key"] == "sk-test" and request["model"] == "gpt-4o-mini"
    assert request["messages"] == messages and request["temperature"] == 0.2
    assert request["status"] == 200 and request["body"]["model"] == "gpt-4o-mini"


async def test_scripted_replies_then_custom_responder(fake_openai: FakeOpenAI,
                                                      client: openai.AsyncOpenAI) -> None:
    fake_openai.script(["first", "second"])
    fake_openai.set_responder(lambda body, key: f"{key}:{len(body['messages'])}")
    replies = [(await client.chat.completions.create(model="m", messages=USER)).choices[0].message.content
               for _ in range(3)]
    assert replies == ["first", "second", "sk-test:1"]


async def test_responder_can_return_tool_calls_and_errors(fake_openai: FakeOpenAI,
                                                          client: openai.AsyncOpenAI) -> None:
    tool_call = {"id": "call_1", "type": "function",
                 "function": {"name": "lookup_order", "arguments": '{"order_id": "42"}'}}
    fake_openai.script([{"content": None, "tool_calls": [tool_call]},
                        {"status": 503, "message": "overloaded"}])
    completion = await client.chat.completions.create(model="m", messages=USER)
    assert completion.choices[0].finish_reason == "tool_calls"
    assert completion.choices[0].message.tool_calls[0].function.name == "lookup_order"
    with pytest.raises(openai.InternalServerError, match="overloaded"):
        await client.chat.completions.create(model="m", messages=USER)


async def test_latency_overlaps_concurrent_requests(fake_openai: FakeOpenAI,
                                                    client: openai.AsyncOpenAI) -> None:
    fake_openai.set_latency(0.3)
    started = time.monotonic()
    await asyncio.gather(*(client.chat.completions.create(model="m", messages=USER) for _ in range(5)))
    assert time.monotonic() - started < 1.0
    assert fake_openai.max_in_flight == 5 and fake_openai.in_flight == 0


async def test_rate_limit_error_with_retry_after(fake_openai: FakeOpenAI,
                                                 client: openai.AsyncOpenAI) -> None:
    fake_openai.fail(429, retry_after=3)
    with pytest.raises(openai.RateLimitError) as error:
        await client.chat.completions.create(model="m", messages=USER)
    assert error.value.status_code == 429 and error.value.response.headers["retry-after"] == "3"
    assert error.value.code == "rate_limit_exceeded"
    assert (await client.chat.completions.create(model="m", messages=USER)).choices[0].message.content


async def test_default_client_retries_through_a_single_failure(fake_openai: FakeOpenAI) -> None:
    fake_openai.fail(500, retry_after=0.01)
    async with openai.AsyncOpenAI(base_url=f"{fake_openai.base_url}/v1", api_key="k") as retrying:
        completion = await retrying.chat.completions.create(model="m", messages=USER)
    assert completion.choices[0].message.content == "Reply to: Where is my order?"
    assert [r["status"] for r in fake_openai.requests()] == [500, 200]


async def test_required_api_key_rejects_others(fake_openai: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    fake_openai.require_api_key("sk-right")
    with pytest.raises(openai.AuthenticationError) as error:
        await client.chat.completions.create(model="m", messages=USER)
    assert error.value.code == "invalid_api_key"
    async with openai.AsyncOpenAI(base_url=f"{fake_openai.base_url}/v1", api_key="sk-right",
                                  max_retries=0) as right:
        assert (await right.chat.completions.create(model="m", messages=USER)).choices
    assert [r["api_key"] for r in fake_openai.requests()] == ["sk-test", "sk-right"]


async def test_server_errors_and_unsupported_streaming(fake_openai: FakeOpenAI,
                                                       client: openai.AsyncOpenAI) -> None:
    fake_openai.fail(500, times=2)
    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            await client.chat.completions.create(model="m", messages=USER)
    with pytest.raises(openai.BadRequestError, match="stream"):
        await client.chat.completions.create(model="m", messages=USER, stream=True)
    assert (await client.chat.completions.create(model="m", messages=USER)).choices


async def test_models_list_and_unknown_route(fake_openai: FakeOpenAI, client: openai.AsyncOpenAI) -> None:
    models = [m.id async for m in client.models.list()]
    assert "gpt-4o-mini" in models
    async with httpx.AsyncClient() as raw:
        missing = await raw.post(f"{fake_openai.base_url}/v1/embeddings", json={})
    assert missing.status_code == 404 and missing.json()["error"]["type"] == "invalid_request_error"


async def test_reset_and_stop_during_latency_is_fast() -> None:
    fake = FakeOpenAI().start()
    fake.set_latency(30)
    async with openai.AsyncOpenAI(base_url=f"{fake.base_url}/v1", api_key="k", max_retries=0) as client:
        pending = asyncio.create_task(client.chat.completions.create(model="m", messages=USER))
        while fake.in_flight == 0:
            await asyncio.sleep(0.01)
        started = time.monotonic()
        await asyncio.to_thread(fake.stop)
        assert time.monotonic() - started < 1.5
        assert (await asyncio.wait_for(pending, 2)).choices  # the sleep ended early, reply was sent
    fake.reset()
    assert fake.requests() == [] and fake.max_in_flight == 0
