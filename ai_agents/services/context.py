"""What every use case needs (settings, database, secrets, clock), set once by the runtime."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from ai_agents.config import Settings
from ai_agents.core.clock import Clock, SystemClock
from ai_agents.core.errors import Unavailable
from ai_agents.crypto import SecretBox
from ai_agents.llm import ChatModel
from ai_agents.services.live_updates import LiveUpdates
from ai_agents.services.ports import ChannelGateway


@dataclass
class AppContext:
    """The running platform's shared parts; built by runtime, read by api, ui and services."""

    settings: Settings
    engine: Engine
    box: SecretBox
    clock: Clock = field(default_factory=SystemClock)
    live: LiveUpdates = field(default_factory=LiveUpdates)
    # Live parts the runtime wires in once they exist.
    channels: ChannelGateway | None = None
    llm: ChatModel | None = None
    # Wakes the outbox dispatcher when a row is written (set by the runtime).
    outbox_wakeup: Any = None

    def gateway(self) -> ChannelGateway:
        if self.channels is None:
            raise Unavailable("channels are not running in this process")
        return self.channels


_current: AppContext | None = None


def set_current(context: AppContext | None) -> None:
    """Install (or clear) the running context; only the runtime calls this."""
    global _current
    _current = context


def current() -> AppContext:
    """The running context; raises Unavailable while the platform is starting or stopped."""
    if _current is None:
        raise Unavailable("the platform is starting or stopping; try again in a moment")
    return _current
