"""What the use cases need from the live parts the runtime wires in (channels, LLM, events)."""

from __future__ import annotations

from typing import Any, Protocol

from ai_agents.channels.base import Identity, SendResult


class ChannelGateway(Protocol):
    """Starts, stops and sends through the adapters of integrations."""

    async def probe(self, provider: str, credentials: dict[str, str], config: dict[str, Any]) -> Identity: ...

    async def start(self, integration_id: int) -> None: ...

    async def stop(self, integration_id: int) -> None: ...

    async def remove(self, integration_id: int) -> None:
        """The integration's row is deleted: stop its adapter and forget it in every registry."""

    def is_running(self, integration_id: int) -> bool: ...

    async def send_text(self, integration_id: int, recipient: str, text: str) -> SendResult: ...
