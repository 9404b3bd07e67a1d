"""The channel manager: runs one adapter per enabled integration and sends through them."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from functools import partial
from typing import Any, TypeGuard

from ai_agents.channels.base import (
    AdapterSpec,
    ChannelAdapter,
    FailedUpdate,
    Identity,
    InboundMessage,
    LinkedIdentity,
    MessagingWindow,
    Pairing,
    PairingAdapter,
    PairingRefused,
    SendResult,
    WebhookReceiver,
)
from ai_agents.channels.registry import WEBHOOK_RECEIVERS, adapter_class, webhook_receiver
from ai_agents.channels.whatsapp_client import DeviceClient, SessionStore
from ai_agents.config import Settings
from ai_agents.core.errors import NotFound
from ai_agents.core.types import IntegrationStatus, Provider
from ai_agents.crypto import UnreadableSecret
from ai_agents.db.session import run_db
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.inbound import webhooks
from ai_agents.services.inbound.dead_letters import record_dead_letter
from ai_agents.services.inbound.pipeline import Pipeline
from ai_agents.services.outbound import outbox
from ai_agents.services.outbound.outbox import ChannelDown
from ai_agents.services.workspace import credentials, devices, integrations

log = get_logger("channels")


def adapter_options_for(settings: Settings, given: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
    """What adapters get besides their spec, per provider: the real linked-device client and its
    session store (DATA_DIR, or the PostgreSQL of DATABASE_URL), with `given` (tests) on top."""
    sessions = SessionStore(settings.data_dir, settings.resolved_database_url)
    factory = test_device_client(settings) if settings.whatsapp_device_client else neonize_client
    options: dict[str, dict[str, Any]] = {
        Provider.WHATSAPP_DEVICE: {"client_factory": factory, "sessions": sessions},
    }
    for provider, extra in (given or {}).items():
        options[provider] = {**options.get(provider, {}), **extra}
    return options


def test_device_client(settings: Settings) -> Callable[..., DeviceClient]:
    """The test seam WHATSAPP_DEVICE_CLIENT ('module:callable'): end-to-end tests give the real
    server a fake WhatsApp. Settings refuse it unless TEST_SEAMS is on (the platform does not start)."""
    name = settings.whatsapp_device_client
    module_name, _, attribute = name.partition(":")
    factory = getattr(importlib.import_module(module_name), attribute or "client_factory")
    log.warning("⚠️  Test seam: WhatsApp linked devices use %s, not neonize", name)
    return factory


def neonize_client(**kwargs: Any) -> DeviceClient:
    """The real linked-device client; neonize (and its Go library) loads only when a device starts."""
    from ai_agents.channels.whatsapp_neonize import neonize_client as build

    return build(**kwargs)


class ChannelManager:
    """Implements services.ports.ChannelGateway over the adapters in channels/registry.py."""

    def __init__(self, ctx: AppContext, pipeline: Pipeline, adapter_options: dict[str, Any] | None = None):
        self.ctx = ctx
        self.pipeline = pipeline
        self.adapter_options = adapter_options or {}
        self._adapters: dict[int, ChannelAdapter] = {}
        self._forgetters: list[Callable[[int], None]] = []
        self._lock = asyncio.Lock()

    async def probe(self, provider: str, credentials: dict[str, str], config: dict[str, Any]) -> Identity:
        return await adapter_class(provider).probe(AdapterSpec(0, provider, credentials, config))

    async def start(self, integration_id: int) -> None:
        """Run the integration's adapter; one whose token cannot be read stays down with that
        reason as its error (see integrations.runnable_spec)."""
        async with self._lock:
            if integration_id in self._adapters:
                return
            try:
                spec = await run_db(self.ctx.engine, integrations.runnable_spec, self.ctx, integration_id)
            except UnreadableSecret as exc:
                log.error("❌ Integration %s not started: %s", integration_id, exc)
                return
            if spec is None:
                return
            factory = adapter_class(spec.provider)
            options = dict(self.adapter_options.get(spec.provider, {}))
            if getattr(factory, "reports_identity", False):
                options["on_identity"] = self._on_identity
                options["on_pairing"] = self._on_pairing
            # Made in a worker thread: an adapter's HTTP clients load the CA certificates on
            # creation (a python-telegram-bot Bot 50-75 ms, a Graph client ~30 ms, measured).
            make = partial(factory, spec, self.pipeline.handle_inbound, self._on_status,
                           on_dead_letter=self._on_dead_letter, **options)
            adapter = await asyncio.to_thread(make)
            self._adapters[integration_id] = adapter
            await adapter.start()

    async def stop(self, integration_id: int) -> None:
        async with self._lock:
            adapter = self._adapters.pop(integration_id, None)
        if adapter is not None:
            await adapter.stop()
        else:
            await self._on_status(integration_id, IntegrationStatus.STOPPED, None)

    def on_remove(self, forget: Callable[[int], None]) -> None:
        """Have `forget(integration_id)` called when an integration is removed, so registries
        outside the manager drop it too (e.g. the outbox's SendBudget.forget)."""
        self._forgetters.append(forget)

    async def remove(self, integration_id: int) -> None:
        """The one place an integration leaves this process: its row was deleted, so stop its
        adapter and have every registered registry forget it."""
        async with self._lock:
            adapter = self._adapters.pop(integration_id, None)
        if adapter is not None:
            await adapter.stop()
        for forget in self._forgetters:
            forget(integration_id)

    async def start_enabled(self) -> None:
        """Start every enabled integration; one that cannot start never keeps the others down."""
        if warning := await run_db(self.ctx.engine, credentials.unreadable_credentials_warning, self.ctx):
            log.warning("⚠️  %s", warning)
        for integration_id in integrations.enabled_integration_ids(self.ctx):
            try:
                await self.start(integration_id)
            except Exception as exc:  # noqa: BLE001 - reported on the integration; start-up goes on
                log.exception("❌ Integration %s could not be started", integration_id)
                await self._on_status(integration_id, IntegrationStatus.ERROR, f"could not start: {exc!r}")

    async def stop_all(self) -> None:
        await asyncio.gather(*(self.stop(i) for i in list(self._adapters)), return_exceptions=True)

    def is_running(self, integration_id: int) -> bool:
        adapter = self._adapters.get(integration_id)
        return adapter is not None and adapter.status == IntegrationStatus.CONNECTED

    async def send_text(self, integration_id: int, recipient: str, text: str, start_part: int = 0) -> SendResult:
        adapter = self._adapters.get(integration_id)
        if adapter is None:
            raise ChannelDown(f"integration {integration_id} is not running")
        return await adapter.send_text(recipient, text, start_part)

    def messaging_window(self, integration_id: int) -> MessagingWindow | None:
        return getattr(self._adapters.get(integration_id), "messaging_window", None)

    async def try_message(self, message: InboundMessage) -> None:
        """A message typed in an agent's try box, handed to its playground adapter (started if
        it is not running), which passes it to the pipeline as a customer's."""
        await self.start(message.integration_id)
        adapter = self._adapters.get(message.integration_id)
        if adapter is None or not getattr(type(adapter), "takes_typed_messages", False):
            raise NotFound(f"integration {message.integration_id} is not a try box running here")
        await adapter.receive(message)

    async def subscription_challenge(self, webhook: str, params: dict[str, str]) -> str:
        return await webhooks.subscription_challenge(self.ctx, _receiver(webhook), params)

    async def receive_webhook(self, webhook: str, body: bytes, signature: str | None) -> dict[str, Any]:
        """Webhook events are stored whether or not the integration runs here (replies wait in the
        outbox until it does): a customer's message is never lost."""
        return await webhooks.receive(self.ctx, self.pipeline.handle_inbound, _receiver(webhook), body, signature)

    def pairing(self, integration_id: int) -> Pairing | None:
        """The pairing under way of a linked device (None: linked, not running, or not a device)."""
        adapter = self._adapters.get(integration_id)
        return adapter.pairing if _pairs(adapter) else None

    async def pair(self, integration_id: int, phone: str | None) -> Pairing:
        """Start linking the integration's device (QR, or a code for `phone`); PairingRefused."""
        adapter = self._adapters.get(integration_id)
        if not _pairs(adapter):
            raise PairingRefused(f"integration {integration_id} is not running, or is not a linked device")
        return await adapter.pair(phone)

    async def logout(self, integration_id: int) -> None:
        """Unlink the integration's device and forget its session, then stop it. A stopped device is
        started for it: its adapter owns the session (and tells WhatsApp when it can connect)."""
        if integration_id not in self._adapters:
            await self.start(integration_id)
        adapter = self._adapters.get(integration_id)
        if _pairs(adapter):
            await adapter.logout()
        await self.stop(integration_id)

    async def _on_identity(self, integration_id: int, identity: LinkedIdentity) -> None:
        await run_db(self.ctx.engine, integrations.record_identity, self.ctx, integration_id, identity)

    def _on_pairing(self, integration_id: int) -> None:
        devices.pairing_changed(self.ctx, integration_id)

    async def _on_status(self, integration_id: int, status: IntegrationStatus, error: str | None) -> None:
        await run_db(self.ctx.engine, integrations.record_status, self.ctx, integration_id, status, error)
        if status == IntegrationStatus.CONNECTED:  # messages held while it was down go out now
            await run_db(self.ctx.engine, outbox.resume_held, self.ctx, integration_id)
            if self.ctx.outbox_wakeup:
                self.ctx.outbox_wakeup()

    async def _on_dead_letter(self, failed: FailedUpdate) -> None:
        await run_db(self.ctx.engine, record_dead_letter, self.ctx, failed)


def _receiver(webhook: str) -> WebhookReceiver:
    receiver = webhook_receiver(webhook)
    if receiver is None:
        raise NotFound(f"no webhook {webhook!r}; known: {', '.join(WEBHOOK_RECEIVERS)}", code="UNKNOWN_WEBHOOK")
    return receiver


def _pairs(adapter: ChannelAdapter | None) -> TypeGuard[PairingAdapter]:
    """Whether the adapter links a device (PairingAdapter) rather than using a token."""
    return adapter is not None and getattr(type(adapter), "reports_identity", False)
