"""The one shape of every channel adapter, and the normalised inbound message."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ai_agents.core.types import IntegrationStatus


@dataclass(frozen=True)
class InboundMessage:
    """A customer's message as any channel delivers it."""

    integration_id: int
    remote_id: str  # the chat / sender on the channel: the plan's remote_jid
    text: str
    external_id: str  # the channel's message id, for dedupe
    timestamp: datetime
    sender_name: str | None = None
    sender_username: str | None = None
    device_id: str | None = None  # linked-device WhatsApp: which of our devices received it
    jid: str | None = None  # linked-device WhatsApp: our JID that received it


@dataclass(frozen=True)
class AdapterSpec:
    """What an adapter needs to run: decrypted credentials and the integration's config."""

    integration_id: int
    provider: str
    credentials: dict[str, str]
    config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Identity:
    """Who we are on the channel, as checked with the channel (getMe, phone number, page)."""

    external_id: str
    display_name: str


@dataclass(frozen=True)
class SendResult:
    external_id: str | None = None


class SendError(Exception):
    """A send failed; `transient` ones are retried, permanent ones fail at once with the reason."""

    def __init__(self, reason: str, *, transient: bool, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.retry_after = retry_after


class CredentialsError(Exception):
    """The channel refused the credentials, or could not be reached to check them."""


@dataclass(frozen=True)
class FailedUpdate:
    """An inbound update whose handling failed every time: kept as a dead letter, then skipped."""

    integration_id: int
    external_id: str | None  # the channel's id of the update
    payload: dict[str, Any]  # the update as the channel sent it
    error: str  # the last failure, secrets redacted
    attempts: int


InboundHandler = Callable[[InboundMessage], Awaitable[None]]
StatusHandler = Callable[[int, IntegrationStatus, "str | None"], Awaitable[None]]
DeadLetterHandler = Callable[[FailedUpdate], Awaitable[None]]


class ChannelAdapter(Protocol):
    """Start, stop, report status, send; inbound messages go to the handler it was built with."""

    spec: AdapterSpec

    @property
    def status(self) -> IntegrationStatus: ...

    @property
    def last_error(self) -> str | None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send_text(self, recipient: str, text: str) -> SendResult: ...


class AdapterFactory(Protocol):
    """The class of an adapter: builds one, and checks credentials before one is saved."""

    def __call__(
        self, spec: AdapterSpec, on_inbound: InboundHandler, on_status: StatusHandler,
        *, on_dead_letter: DeadLetterHandler,
    ) -> ChannelAdapter: ...

    async def probe(self, spec: AdapterSpec) -> Identity: ...
