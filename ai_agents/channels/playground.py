"""The try box of the workspace as a channel: messages typed on the Agents page, replies kept, no network."""

from __future__ import annotations

import uuid

from ai_agents.channels.base import (
    AdapterSpec,
    DeadLetterHandler,
    Identity,
    InboundHandler,
    InboundMessage,
    SendError,
    SendResult,
    StatusHandler,
)
from ai_agents.core.types import IntegrationStatus, Provider


class PlaygroundAdapter:
    """An agent's try box. Inbound: what a person types on the Agents page goes to the pipeline as
    a customer's message would (`receive`). Outbound: a send is delivered at once; the reply stays
    in the conversation, whose live events (the dispatcher publishes each send) refresh the page."""

    provider = Provider.PLAYGROUND
    takes_typed_messages = True  # ChannelManager.try_message hands it what was typed

    def __init__(
        self, spec: AdapterSpec, on_inbound: InboundHandler, on_status: StatusHandler,
        *, on_dead_letter: DeadLetterHandler,
    ) -> None:
        self.spec = spec
        self._on_inbound = on_inbound
        self._on_status = on_status
        self._status = IntegrationStatus.STOPPED

    @property
    def status(self) -> IntegrationStatus:
        return self._status

    @property
    def last_error(self) -> str | None:
        return None

    @classmethod
    async def probe(cls, spec: AdapterSpec) -> Identity:
        return Identity(external_id=f"playground-{spec.integration_id}", display_name="Try this agent")

    async def start(self) -> None:
        await self._set_status(IntegrationStatus.CONNECTED)

    async def stop(self) -> None:
        await self._set_status(IntegrationStatus.STOPPED)

    async def receive(self, message: InboundMessage) -> None:
        """A message typed in the try box, as if a customer had sent it on a channel."""
        if message.integration_id != self.spec.integration_id:
            raise ValueError(f"message for integration {message.integration_id}, not {self.spec.integration_id}")
        await self._on_inbound(message)

    async def send_text(self, recipient: str, text: str, start_part: int = 0) -> SendResult:
        if self._status != IntegrationStatus.CONNECTED:
            raise SendError("the try box is stopped", transient=True)
        return SendResult(external_id=f"playground-{uuid.uuid4().hex}")

    async def _set_status(self, status: IntegrationStatus) -> None:
        if status != self._status:
            self._status = status
            await self._on_status(self.spec.integration_id, status, None)
