"""OpenAI-compatible chat completions with per-agent key and URL (the ChatModel port's adapter)."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import openai
from openai.types.chat import ChatCompletion

from ai_agents.core.chat import ChatRequest, LLMError
from ai_agents.net.transports import httpx2_transport


class OpenAIChat:
    """Chat completions over the openai client; one client per (key, base URL), reused."""

    def __init__(self) -> None:
        self._clients: dict[tuple[str, str | None], asyncio.Future[openai.AsyncOpenAI]] = {}

    async def _client(self, api_key: str, base_url: str | None) -> openai.AsyncOpenAI:
        """The client for a key and URL, made on first use in a worker thread: making one builds an
        SSL context with the system's CA certificates (a 30 to 100 ms stall of the event loop,
        measured by the inbound benchmark's lag probe). Concurrent first calls share one client."""
        key = (api_key, base_url)
        made = self._clients.get(key)
        if made is None or (made.done() and (made.cancelled() or made.exception() is not None)):
            made = self._clients[key] = asyncio.ensure_future(asyncio.to_thread(_new_client, api_key, base_url))
        return await asyncio.shield(made)

    async def complete(self, request: ChatRequest) -> str:
        client = await self._client(request.api_key, request.base_url)
        body: dict[str, Any] = {"model": request.model, "messages": request.messages}
        if request.temperature is not None:
            body["temperature"] = request.temperature
        try:
            # The client's documented `post` for a body that is already plain JSON: the typed
            # `chat.completions.create` walks every message of the history through its TypedDict
            # transform first (3.7 ms of CPU per call with a 10-message history, measured).
            response = await client.post(
                "/chat/completions", body=body, cast_to=ChatCompletion, options=_options(request.timeout)
            )
        except openai.APIStatusError as exc:
            retryable = exc.status_code in (408, 409, 429) or exc.status_code >= 500
            raise LLMError(
                f"LLM returned {exc.status_code}: {_short(exc)}",
                retryable=retryable,
                retry_after=_retry_after(exc),
            ) from None
        except (openai.APITimeoutError, openai.APIConnectionError) as exc:
            raise LLMError(f"LLM unreachable: {type(exc).__name__}", retryable=True) from None
        except (openai.APIError, ValueError) as exc:  # e.g. a body that is not JSON
            raise _not_openai(client, f"{type(exc).__name__}: {str(exc)[:200]}") from None
        choices = getattr(response, "choices", None)
        if not isinstance(choices, list):
            raise _not_openai(client, _shape(response))
        message = getattr(choices[0], "message", None) if choices else None
        content = getattr(message, "content", None)
        if choices and (message is None or not isinstance(content, (str, type(None)))):
            raise _not_openai(client, "a choice without a text message")
        if not content or not content.strip():
            raise LLMError("LLM returned an empty reply", retryable=True)
        return content.strip()

    async def close(self) -> None:
        for made in self._clients.values():
            if made.done() and not made.cancelled() and made.exception() is None:
                await made.result().close()
            else:
                made.cancel()
        self._clients.clear()


def _new_client(api_key: str, base_url: str | None) -> openai.AsyncOpenAI:
    """A client whose connections run on the asyncio network backend (ai_agents.net), with the
    connection limits the openai library sets on its own HTTP client."""
    transport = httpx2_transport(limits=openai.DEFAULT_CONNECTION_LIMITS)
    http_client = openai.DefaultAsyncHttpxClient(transport=transport)
    return openai.AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=0, http_client=http_client)


def _options(timeout: float | None) -> dict[str, Any]:
    """Request options as `create` builds them: the deadline, and the bearer key sent."""
    return {"timeout": timeout, "security": {"bearer_auth": True}}


def _not_openai(client: openai.AsyncOpenAI, what: str) -> LLMError:
    """A wrong base_url (a web page, another API): the person has to fix the agent's URL."""
    parts = urlsplit(str(client.base_url))
    port = f":{parts.port}" if parts.port else ""
    where = f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path.rstrip('/')}"
    return LLMError(
        f"the server at {where} did not answer like an OpenAI-compatible API: {what}; "
        "check the agent's base_url (it usually ends in /v1)",
        retryable=False,
    )


def _shape(response: Any) -> str:
    """What came back instead of a chat completion, briefly."""
    if isinstance(response, str):
        snippet = " ".join(response.split())[:80]
        return f"got text instead of JSON: {snippet!r}"
    if isinstance(response, (list, dict)):
        return f"got a JSON {type(response).__name__} without 'choices'"
    return "got JSON without 'choices'"


def _short(exc: openai.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    message = body.get("message") or (body.get("error") or {}).get("message") or exc.message
    return str(message)[:300]


def _retry_after(exc: openai.APIStatusError) -> float | None:
    value = exc.response.headers.get("retry-after") if exc.response is not None else None
    try:
        return float(value) if value else None
    except ValueError:
        return None
