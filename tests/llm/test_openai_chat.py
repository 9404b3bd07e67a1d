"""The LLM adapter over real HTTP: what a wrong server or a slow one becomes (LLMError kinds)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.responses import Response
from starlette.routing import Route

from ai_agents.llm.openai_chat import OpenAIChat
from ai_agents.services.ports import ChatRequest, LLMError, complete_within_deadline
from tests.fakes.http_server import BackgroundServer
from tests.fakes.openai_server import FakeOpenAI

BODIES = {  # path -> (body, content type) of a 200 that is not a chat completion
    "html": ("<html><body><h1>Welcome to nginx!</h1></body></html>", "text/html"),
    "broken-json": ("not json at all", "application/json"),
    "other-json": ('{"status": "ok", "version": "1.2"}', "application/json"),
    "json-list": ("[1, 2, 3]", "application/json"),
    "choice-without-message": ('{"choices": [{"index": 0}]}', "application/json"),
}


@pytest.fixture(scope="module")
def wrong_server() -> Iterator[BackgroundServer]:
    async def answer(request):
        body, media_type = BODIES[request.path_params["kind"]]
        return Response(body, media_type=media_type)

    app = Starlette(routes=[Route("/{kind}/v1/chat/completions", answer, methods=["POST"])])
    with BackgroundServer(app) as server:
        yield server


def request_to(base_url: str, timeout: float = 10.0) -> ChatRequest:
    return ChatRequest(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}], api_key="sk-test-key-0000",
                       base_url=base_url, timeout=timeout)


@pytest.mark.parametrize("kind", sorted(BODIES))
async def test_a_server_that_is_not_openai_compatible_is_a_lasting_error(wrong_server, kind):
    llm = OpenAIChat()
    try:
        with pytest.raises(LLMError) as caught:
            await llm.complete(request_to(f"{wrong_server.base_url}/{kind}/v1"))
    finally:
        await llm.close()
    message = str(caught.value)
    assert message.startswith(f"the server at {wrong_server.base_url}/{kind}/v1 did not answer like an OpenAI-compatible API")
    assert "base_url" in message and caught.value.retryable is False


async def test_the_deadline_covers_the_whole_call():
    with FakeOpenAI() as fake:
        fake.set_responder(lambda body, api_key: {"drip": 0.2})  # a byte every 0.2 s, forever
        llm = OpenAIChat()
        started = time.monotonic()
        try:
            with pytest.raises(LLMError) as caught:
                await complete_within_deadline(llm, request_to(fake.base_url + "/v1", timeout=1))
        finally:
            await llm.close()
    assert 1 <= time.monotonic() - started < 2.5
    assert caught.value.retryable is True and "within 1s" in str(caught.value)


async def test_the_request_carries_model_history_key_and_temperature_only_when_set(fake_openai):
    chat = OpenAIChat()
    history = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}]
    base = request_to(fake_openai.base_url + "/v1")
    try:
        assert await chat.complete(ChatRequest(**{**base.__dict__, "messages": history})) == "Reply to: hi"
        await chat.complete(ChatRequest(**{**base.__dict__, "temperature": 0.2}))
    finally:
        await chat.close()
    first, second = fake_openai.requests()
    assert (first["model"], first["messages"], first["api_key"]) == ("gpt-4o-mini", history, "sk-test-key-0000")
    assert "temperature" not in first["body"] and second["body"]["temperature"] == 0.2


async def test_a_client_is_made_once_per_key_and_url_outside_the_event_loops_thread(fake_openai, monkeypatch):
    import asyncio
    import threading

    import openai

    made_in: list[int] = []
    real = openai.AsyncOpenAI

    def recording(**kwargs):
        made_in.append(threading.get_ident())
        return real(**kwargs)

    monkeypatch.setattr(openai, "AsyncOpenAI", recording)
    chat = OpenAIChat()
    try:
        url = fake_openai.base_url + "/v1"
        replies = await asyncio.gather(*(chat.complete(request_to(url)) for _ in range(5)))
        assert replies == ["Reply to: hi"] * 5
        assert len(made_in) == 1 and made_in[0] != threading.get_ident()  # one client, made in a worker thread
        other_key = ChatRequest(model="m", messages=[{"role": "user", "content": "hi"}], api_key="sk-other-0000",
                                base_url=url, timeout=10)
        await chat.complete(other_key)
        assert len(made_in) == 2
    finally:
        await chat.close()
