"""What services need from outside: the chat model, the channel gateway, live updates, the clock."""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from ai_agents.channels.base import (
    AdapterSpec,
    CredentialsError,
    DeliveryUpdate,
    FailedUpdate,
    Identity,
    InboundMessage,
    LinkedIdentity,
    MessagingWindow,
    Pairing,
    PairingRefused,
    SendError,
    SendResult,
    WebhookBatch,
    WebhookReceiver,
    WebhookSecrets,
)
from ai_agents.core.chat import ChatRequest, LLMError
from ai_agents.core.clock import Clock

# The channel types the services see come through this module too (services never import channels).
__all__ = [
    "AdapterSpec",
    "CredentialsError",
    "DeliveryUpdate",
    "FailedUpdate",
    "Identity",
    "InboundMessage",
    "LinkedIdentity",
    "MessagingWindow",
    "Pairing",
    "PairingRefused",
    "SendError",
    "SendResult",
    "WebhookBatch",
    "WebhookReceiver",
    "WebhookSecrets",
    "ChannelGateway",
    "ChatModel",
    "ChatRequest",
    "Clock",
    "LLMError",
    "LivePublisher",
    "LiveSubscription",
    "DirectSend",
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


class LiveSubscription(Protocol):
    """The events a subscriber asked for, oldest first: `await get()` or `async for`."""

    async def get(self) -> dict[str, Any]: ...

    def drain(self) -> list[dict[str, Any]]:
        """The events already waiting, without waiting."""
        ...

    def __aiter__(self) -> LiveSubscription: ...

    async def __anext__(self) -> dict[str, Any]: ...


class LivePublisher(Protocol):
    """Small events for live views (message stored, conversation changed, status, alert), each a
    dict with its `kind`; in-process today, the same interface over Redis for several processes."""

    def publish(self, kind: str, **data: Any) -> None: ...

    def subscribe(
        self, kinds: Collection[str] | None = None, *, conversation_id: int | None = None
    ) -> AbstractAsyncContextManager[LiveSubscription]:
        """Events of the given kinds (all when None), only of one conversation when given."""
        ...


class DirectSend(Protocol):
    """Hands a reply straight to the sender: a send slot and rate tokens reserved before the reply
    is stored (its outbox row is written leased), the row adopted after the commit; no claim."""

    def reserve(self, integration_id: int, recipient: str) -> Any | None:
        """A reservation (its `owner` and `until` lease the row), or None: the row waits for a claim."""

    def adopt(self, row: Any, reservation: Any) -> None: ...

    def release(self, reservation: Any) -> None:
        """The reservation was not used (the row was not written leased)."""


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

    def messaging_window(self, integration_id: int) -> MessagingWindow | None:
        """How long after the customer's last message the integration's channel lets us write (None: any time)."""
        ...

    async def try_message(self, message: InboundMessage) -> None:
        """A message typed in an agent's try box, to its playground adapter and on to the pipeline
        as a customer's (NotFound when the integration is not a try box)."""
        ...

    async def subscription_challenge(self, webhook: str, params: dict[str, str]) -> str:
        """Answer a channel's webhook subscription request (Forbidden when the verify token is wrong)."""
        ...

    async def receive_webhook(self, webhook: str, body: bytes, signature: str | None) -> dict[str, Any]:
        """Check a signed webhook body and store its events (Forbidden when the signature is wrong)."""
        ...

    def pairing(self, integration_id: int) -> Pairing | None:
        """The pairing under way of a linked device (QR code, phone code), if any."""
        ...

    async def pair(self, integration_id: int, phone: str | None) -> Pairing:
        """Start linking a device (QR, or a code for `phone`); PairingRefused says why not."""
        ...

    async def logout(self, integration_id: int) -> None:
        """Unlink a device and forget its session; the adapter stops."""
