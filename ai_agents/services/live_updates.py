"""In-process publish/subscribe of events for live views (live chat, dashboard counters)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

QUEUE_SIZE = 1000


class LiveUpdates:
    """Fan-out of small event dicts to every subscriber; slow subscribers lose old events."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue] = set()

    def publish(self, kind: str, **data: Any) -> None:
        event = {"kind": kind, **data}
        for queue in list(self._queues):
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue]:
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)
