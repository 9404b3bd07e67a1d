"""The one shape of every channel adapter, and the normalised inbound message."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol

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
    device_id: str | None = None  # linked devices: the device whose session to resume


@dataclass(frozen=True)
class Identity:
    """Who we are on the channel, as checked with the channel (getMe, phone number, page)."""

    external_id: str
    display_name: str
    # Learnt while checking, kept in the integration's config; `webhook_ids`: other ids of ours
    # the channel's webhooks name (e.g. the Instagram account of a page).
    config: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class MessagingWindow:
    """A channel lets us write to a customer only this long after the customer's last message."""

    hours: float
    outside: str  # what the channel wants outside the window, said in the failure reason


@dataclass(frozen=True)
class LinkedIdentity:
    """Who a paired device is on the channel (linked-device WhatsApp), reported when it pairs or
    connects; all None when it was unlinked."""

    external_id: str | None = None  # the account's phone number, E.164
    display_name: str | None = None
    device_id: str | None = None  # our device's own address (whatsmeow's device JID)
    jid: str | None = None  # the account's address (the phone's JID)


@dataclass(frozen=True)
class Pairing:
    """A device being linked: the QR code to scan now, or the code to type on the phone."""

    qr: str | None = None  # the payload of the current QR code (it rotates)
    qr_at: datetime | None = None  # when this QR code arrived
    phone: str | None = None  # pairing by phone code: the number, E.164
    pair_code: str | None = None  # the code to type on that phone
    error: str | None = None  # the last pairing failure, as a person can act on it


class PairingRefused(Exception):
    """Pairing cannot start now (already linked, or the channel refused); the text says why."""


@dataclass(frozen=True)
class SendResult:
    external_id: str | None = None
    parts_sent: int = 1  # a long text goes out in parts: how many of them are delivered now


class SendError(Exception):
    """A send failed; `transient` ones are retried, permanent ones fail at once with the reason.
    `parts_sent`: parts of a split text delivered before the failure (counted from the first part);
    `outcome_unknown`: the channel may have delivered the failed part (e.g. no answer in time)."""

    def __init__(
        self,
        reason: str,
        *,
        transient: bool,
        retry_after: float | None = None,
        parts_sent: int = 0,
        outcome_unknown: bool = False,
    ):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient
        self.retry_after = retry_after
        self.parts_sent = parts_sent
        self.outcome_unknown = outcome_unknown


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


@dataclass(frozen=True)
class DeliveryUpdate:
    """What the channel says became of a message we sent: sent, delivered, read or failed."""

    external_id: str  # the channel's id of our message (SendResult.external_id)
    status: str  # a MessageStatus value
    error: str | None = None  # why it failed


@dataclass(frozen=True)
class WebhookBatch:
    """The events of one webhook call for one account of ours (a phone number, a page)."""

    account_id: str  # matched against the integration's external_id and config["webhook_ids"]
    messages: list[InboundMessage] = field(default_factory=list)  # integration_id 0 until matched
    updates: list[DeliveryUpdate] = field(default_factory=list)


@dataclass(frozen=True)
class WebhookSecrets:
    """What checks an integration's webhooks, and the setting each comes from (named in errors)."""

    app_secret: str | None
    app_secret_setting: str
    verify_token: str | None
    verify_token_setting: str


InboundHandler = Callable[[InboundMessage], Awaitable[None]]
StatusHandler = Callable[[int, IntegrationStatus, "str | None"], Awaitable[None]]
DeadLetterHandler = Callable[[FailedUpdate], Awaitable[None]]
IdentityHandler = Callable[[int, LinkedIdentity], Awaitable[None]]
PairingHandler = Callable[[int], None]  # a linked device's pairing (QR code, phone code) changed


class ChannelAdapter(Protocol):
    """Start, stop, report status, send; inbound messages go to the handler it was built with."""

    spec: AdapterSpec

    @property
    def status(self) -> IntegrationStatus: ...

    @property
    def last_error(self) -> str | None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def send_text(self, recipient: str, text: str, start_part: int = 0) -> SendResult:
        """Send the text's parts from `start_part` on (the earlier ones went out before)."""
        ...


class BackgroundAdapter:
    """What adapters share: the status they report, and one background task (polling, connecting)
    started by start() and cancelled by stop(). Subclasses set spec, _on_status and task_name."""

    spec: AdapterSpec
    task_name: str
    _on_status: StatusHandler
    _task: asyncio.Task | None = None
    _status: IntegrationStatus = IntegrationStatus.STOPPED
    _last_error: str | None = None

    @property
    def status(self) -> IntegrationStatus:
        return self._status

    @property
    def last_error(self) -> str | None:
        return self._last_error

    async def start(self) -> None:
        if self._task is None or self._task.done():
            await self._set_status(IntegrationStatus.STARTING, None)
            self._start_task()

    def _start_task(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name=f"{self.task_name}-{self.spec.integration_id}")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        await self._close()
        await self._set_status(IntegrationStatus.STOPPED, None)

    async def _run(self) -> None:
        """The background work; reports its state with _set_status."""
        raise NotImplementedError

    async def _close(self) -> None:
        """Release the adapter's connections once its task is stopped."""

    async def _set_status(self, status: IntegrationStatus, error: str | None) -> None:
        if (status, error) == (self._status, self._last_error):
            return
        self._status, self._last_error = status, error
        await self._on_status(self.spec.integration_id, status, error)


class PairingAdapter(ChannelAdapter, Protocol):
    """An adapter of a device that is linked by a person (QR or phone code) rather than by a token.
    Its class sets `reports_identity = True` and takes `on_identity` (an IdentityHandler)."""

    @property
    def pairing(self) -> Pairing | None:
        """The pairing under way, or None (linked, or not started)."""
        ...

    async def pair(self, phone: str | None = None) -> Pairing:
        """Start linking (again): a QR code, or with `phone` a code to type on that phone; also
        reconnects a device that stopped (logged out, replaced, QR expired). PairingRefused."""
        ...

    async def logout(self) -> None:
        """Unlink the device and forget its session; it stays stopped until paired again."""
        ...


class AdapterFactory(Protocol):
    """The class of an adapter: builds one, and checks credentials before one is saved. A class
    with `reports_identity = True` is also given `on_identity` (see PairingAdapter)."""

    def __call__(
        self, spec: AdapterSpec, on_inbound: InboundHandler, on_status: StatusHandler,
        *, on_dead_letter: DeadLetterHandler,
    ) -> ChannelAdapter: ...

    async def probe(self, spec: AdapterSpec) -> Identity: ...


class WebhookReceiver(Protocol):
    """The class of an adapter whose events come to /api/webhooks/{webhook_name}, signed."""

    webhook_name: ClassVar[str]
    provider: ClassVar[str]
    channel_label: ClassVar[str]  # "WhatsApp Cloud API", "Instagram": for log lines and errors

    def webhook_secrets(self, credentials: dict[str, str], settings: Any) -> WebhookSecrets: ...

    def signature_valid(self, app_secret: str, body: bytes, signature: str | None) -> bool: ...

    def subscription_challenge(self, params: dict[str, str], verify_tokens: list[str]) -> str | None:
        """The challenge to echo when the subscription request carries one of `verify_tokens`."""
        ...

    def parse_webhook(self, payload: Any) -> list[WebhookBatch]: ...
