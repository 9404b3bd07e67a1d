"""What one LLM chat completion asks for, and how it fails (shared by the port and its adapter)."""

from __future__ import annotations

from dataclasses import dataclass


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
