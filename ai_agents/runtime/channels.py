"""The channel manager: runs one adapter per enabled integration and sends through them."""

from __future__ import annotations

import asyncio
from typing import Any

from ai_agents.channels.base import AdapterSpec, ChannelAdapter, Identity, SendResult
from ai_agents.channels.registry import adapter_class
from ai_agents.core.types import IntegrationStatus
from ai_agents.db.models import Integration
from ai_agents.db.session import run_db, session_scope
from ai_agents.logs import get_logger
from ai_agents.services import integrations, outbox
from ai_agents.services.context import AppContext
from ai_agents.services.outbox import ChannelDown
from ai_agents.services.pipeline import Pipeline

log = get_logger("channels")


class ChannelManager:
    """Implements services.ports.ChannelGateway over the adapters in channels/registry.py."""

    def __init__(self, ctx: AppContext, pipeline: Pipeline, adapter_options: dict[str, Any] | None = None):
        self.ctx = ctx
        self.pipeline = pipeline
        self.adapter_options = adapter_options or {}
        self._adapters: dict[int, ChannelAdapter] = {}
        self._lock = asyncio.Lock()

    async def probe(self, provider: str, credentials: dict[str, str], config: dict[str, Any]) -> Identity:
        return await adapter_class(provider).probe(AdapterSpec(0, provider, credentials, config))

    async def start(self, integration_id: int) -> None:
        async with self._lock:
            if integration_id in self._adapters:
                return
            with session_scope(self.ctx.engine) as session:
                row = session.get(Integration, integration_id)
                spec = integrations.spec_of(row, self.ctx.box) if row else None
            if spec is None:
                return
            factory = adapter_class(spec.provider)
            options = self.adapter_options.get(spec.provider, {})
            adapter = factory(spec, self.pipeline.handle_inbound, self._on_status, **options)
            self._adapters[integration_id] = adapter
            await adapter.start()

    async def stop(self, integration_id: int) -> None:
        async with self._lock:
            adapter = self._adapters.pop(integration_id, None)
        if adapter is not None:
            await adapter.stop()
        else:
            await self._on_status(integration_id, IntegrationStatus.STOPPED, None)

    async def start_enabled(self) -> None:
        for integration_id in integrations.enabled_integration_ids(self.ctx):
            await self.start(integration_id)

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

    async def _on_status(self, integration_id: int, status: IntegrationStatus, error: str | None) -> None:
        await run_db(self.ctx.engine, integrations.record_status, self.ctx, integration_id, status, error)
        if status == IntegrationStatus.CONNECTED:  # messages held while it was down go out now
            await run_db(self.ctx.engine, outbox.resume_held, self.ctx, integration_id)
            if self.ctx.outbox_wakeup:
                self.ctx.outbox_wakeup()
