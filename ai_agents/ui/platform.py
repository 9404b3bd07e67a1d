"""The running platform's context for UI state handlers, and service calls off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from reflex.utils.prerequisites import get_and_validate_app

from ai_agents.services.context import AppContext

T = TypeVar("T")


def platform_context() -> AppContext:
    """The context of the Reflex app this state runs in, read the way its API reads it (the
    ContextSlot build_api put on the API app's state); Unavailable while it starts or stops."""
    api = get_and_validate_app().app.api_transformer
    return api.state.context_slot.get()


async def call_service(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`fn(ctx, *args, **kwargs)` of a synchronous service, in a worker thread (never blocking the
    loop that serves every browser); raises the service's AppError, or Unavailable while starting."""
    ctx = platform_context()
    return await asyncio.to_thread(fn, ctx, *args, **kwargs)
