"""What every use case needs (settings, database, secrets, clock), set once by the runtime."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine

from ai_agents.config import Settings
from ai_agents.core.clock import Clock, SystemClock
from ai_agents.core.errors import Unavailable
from ai_agents.crypto import SecretBox


@dataclass
class AppContext:
    """The running platform's shared parts; built by runtime, read by api, ui and services."""

    settings: Settings
    engine: Engine
    box: SecretBox
    clock: Clock = field(default_factory=SystemClock)
    # Live parts registered by the runtime (channel manager, dispatcher ...), by name.
    parts: dict[str, Any] = field(default_factory=dict)


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
