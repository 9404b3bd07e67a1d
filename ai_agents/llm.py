"""The LLM behind a small protocol: OpenAI-compatible chat completions with per-agent key and URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import openai


@dataclass(frozen=True)
class ChatRequest:
    """One completion: model, credentials and the messages (role/content dicts)."""

    model: str
    messages: list[dict[str, str]]
    api_key: str
    base_url: str | None = None
    temperature: float | None = None
    timeout: float = 60.0


class LLMError(Exception):
    """A completion failed; `retryable` ones (timeouts, 429, 5xx) may succeed later."""

    def __init__(self, message: str, *, retryable: bool, retry_after: float | None = None):
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after


class ChatModel(Protocol):
    async def complete(self, request: ChatRequest) -> str: ...


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
        content = response.choices[0].message.content if response.choices else None
        if not content or not content.strip():
            raise LLMError("LLM returned an empty reply", retryable=True)
        return content.strip()

    async def close(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()


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
