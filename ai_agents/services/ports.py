"""What services need from outside: the chat model, the channel gateway, live updates, the clock."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from ai_agents.channels.base import (
    AdapterSpec,
    CredentialsError,
    FailedUpdate,
    Identity,
    InboundMessage,
    LinkedIdentity,
    Pairing,
    PairingRefused,
    SendError,
    SendResult,
)
from ai_agents.core.chat import ChatRequest, LLMError
from ai_agents.core.clock import Clock

# The channel types the services see come through this module too (services never import channels).
__all__ = [
    "AdapterSpec",
    "CredentialsError",
    "FailedUpdate",
    "Identity",
    "InboundMessage",
    "LinkedIdentity",
    "Pairing",
    "PairingRefused",
    "SendError",
    "SendResult",
    "ChannelGateway",
    "ChatModel",
    "ChatRequest",
    "Clock",
    "LLMError",
    "LivePublisher",
    "complete_within_deadline",
]


class ChatModel(Protocol):
    """An OpenAI-compatible chat model: one answer per request, or LLMError."""

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


class LivePublisher(Protocol):
    """Small events for live views (message stored, conversation changed, status, alert)."""

    def publish(self, kind: str, **data: Any) -> None: ...

    def subscribe(self) -> AbstractAsyncContextManager[asyncio.Queue]: ...


class ChannelGateway(Protocol):
    """Starts, stops and sends through the adapters of integrations."""

    async def probe(self, provider: str, credentials: dict[str, str], config: dict[str, Any]) -> Identity: ...

    async def start(self, integration_id: int) -> None: ...

    async def stop(self, integration_id: int) -> None: ...

    async def remove(self, integration_id: int) -> None:
        """The integration's row is deleted: stop its adapter and forget it in every registry."""

    def is_running(self, integration_id: int) -> bool: ...

    async def send_text(self, integration_id: int, recipient: str, text: str, start_part: int = 0) -> SendResult:
        """Send through the integration's adapter, from part `start_part` of a split text on."""
        ...

    def pairing(self, integration_id: int) -> Pairing | None:
        """The pairing under way of a linked device (QR code, phone code), if any."""
        ...

    async def pair(self, integration_id: int, phone: str | None) -> Pairing:
        """Start linking a device (QR, or a code for `phone`); PairingRefused says why not."""
        ...

    async def logout(self, integration_id: int) -> None:
        """Unlink a device and forget its session; the adapter stops."""
