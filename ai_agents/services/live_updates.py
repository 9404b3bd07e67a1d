"""In-process publish/subscribe of events for live views (live chat, dashboard counters)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

QUEUE_SIZE = 1000


def call_in_loop(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
    """Run callback in the loop's thread: directly when already there, else thread-safely."""
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        callback()
    elif not loop.is_closed():
        loop.call_soon_threadsafe(callback)


class LiveUpdates:
    """Fan-out of small event dicts to every subscriber; callable from any thread."""

    def __init__(self) -> None:
        self._subscribers: dict[asyncio.Queue, asyncio.AbstractEventLoop] = {}

    def publish(self, kind: str, **data: Any) -> None:
        event = {"kind": kind, **data}
        for queue, loop in list(self._subscribers.items()):
            call_in_loop(loop, lambda q=queue: _offer(q, event))

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue]:
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        self._subscribers[queue] = asyncio.get_running_loop()
        try:
            yield queue
        finally:
            self._subscribers.pop(queue, None)


def _offer(queue: asyncio.Queue, event: dict) -> None:
    """Slow subscribers lose their oldest events rather than block the publisher."""
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(event)
