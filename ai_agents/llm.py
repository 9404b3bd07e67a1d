"""The LLM behind a small protocol: OpenAI-compatible chat completions with per-agent key and URL."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit

import openai


@dataclass(frozen=True)
class ChatRequest:
    """One completion: model, credentials and the messages (role/content dicts)."""

    model: str
    messages: list[dict[str, str]]
    api_key: str
    base_url: str | None = None
    temperature: float | None = None
    timeout: float = 60.0  # total deadline of the call, in seconds (LLM_TIMEOUT_SECONDS)


class LLMError(Exception):
    """A completion failed; `retryable` ones (timeouts, 429, 5xx) may succeed later."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class ChatModel(Protocol):
    async def complete(self, request: ChatRequest) -> str: ...


async def complete_within_deadline(model: ChatModel, request: ChatRequest) -> str:
    """The model's answer; a call not done within `request.timeout` seconds in total (a server
    that answers slowly, byte by byte) is cancelled and raises a retryable LLMError."""
    try:
        async with asyncio.timeout(request.timeout):
            return await model.complete(request)
    except TimeoutError:
        raise LLMError(
            f"LLM gave no complete answer within {request.timeout:g}s (LLM_TIMEOUT_SECONDS)", retryable=True
        ) from None


class OpenAIChat:
    """Chat completions over the openai client; one client per (key, base URL), reused."""

    def __init__(self) -> None:
        self._clients: dict[tuple[str, str | None], openai.AsyncOpenAI] = {}

    def _client(self, api_key: str, base_url: str | None) -> openai.AsyncOpenAI:
        key = (api_key, base_url)
        if key not in self._clients:
            self._clients[key] = openai.AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=0)
        return self._clients[key]

    async def complete(self, request: ChatRequest) -> str:
        client = self._client(request.api_key, request.base_url)
        extra = {} if request.temperature is None else {"temperature": request.temperature}
        try:
            response = await client.chat.completions.create(
                model=request.model, messages=request.messages, timeout=request.timeout, **extra
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
        for client in self._clients.values():
            await client.close()
        self._clients.clear()


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
