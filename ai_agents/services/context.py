"""What every use case needs (settings, database, secrets, ports), passed in by whoever runs it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from ai_agents.config import Settings
from ai_agents.core.clock import SystemClock
from ai_agents.core.errors import Unavailable
from ai_agents.crypto import SecretBox
from ai_agents.services.live_updates import LiveUpdates
from ai_agents.services.loop_share import LoopShare
from ai_agents.services.ports import ChannelGateway, ChatModel, Clock, DirectSend, LivePublisher


@dataclass
class AppContext:
    """The running platform's shared parts; built by runtime, read by api, ui and services."""

    settings: Settings
    engine: Engine
    box: SecretBox
    clock: Clock = field(default_factory=SystemClock)
    live: LivePublisher = field(default_factory=LiveUpdates)
    # CPU-heavy steps (an LLM request, a channel send) take turns across the loop's passes.
    loop_share: LoopShare = field(default_factory=LoopShare)
    # Live parts the runtime wires in once they exist.
    channels: ChannelGateway | None = None
    llm: ChatModel | None = None
    # Wakes the outbox dispatcher when a row is written (set by the runtime).
    outbox_wakeup: Any = None
    # Takes replies straight from the pipeline to a sender (the dispatcher, set by the runtime).
    direct_send: DirectSend | None = None

    def gateway(self) -> ChannelGateway:
        if self.channels is None:
            raise Unavailable("channels are not running in this process")
        return self.channels


class ContextSlot:
    """The context of the platform running in one app: filled by the lifespan while it runs, read
    by the API's dependency and the UI's state (each gets the slot of the app it was built into)."""

    def __init__(self, context: AppContext | None = None) -> None:
        self._context = context

    def fill(self, context: AppContext | None) -> None:
        """Install (or, at shutdown, clear) the running context."""
        self._context = context

    def get(self) -> AppContext:
        """The running context; raises Unavailable while the platform is starting or stopped."""
        if self._context is None:
            raise Unavailable("the platform is starting or stopping; try again in a moment")
        return self._context
