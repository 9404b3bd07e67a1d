"""In-process publish/subscribe of events for live views (live chat, dashboard counters)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Collection
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


class Subscription:
    """The events one subscriber asked for (by kind, optionally by conversation), oldest first;
    `await get()` or `async for event in subscription`. A slow reader loses the oldest events."""

    def __init__(self, kinds: Collection[str] | None, conversation_id: int | None) -> None:
        self.kinds = frozenset(kinds) if kinds else None
        self.conversation_id = conversation_id
        self.loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)

    def wants(self, event: dict[str, Any]) -> bool:
        if self.kinds is not None and event["kind"] not in self.kinds:
            return False
        return self.conversation_id is None or event.get("conversation_id") == self.conversation_id

    def offer(self, event: dict[str, Any]) -> None:
        """Runs in the subscriber's loop."""
        if self._queue.full():
            self._queue.get_nowait()
        self._queue.put_nowait(event)

    async def get(self) -> dict[str, Any]:
        return await self._queue.get()

    def drain(self) -> list[dict[str, Any]]:
        """The events already waiting, without waiting (to handle a burst as one)."""
        events = []
        while not self._queue.empty():
            events.append(self._queue.get_nowait())
        return events

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> dict[str, Any]:
        return await self.get()


class LiveUpdates:
    """Fan-out of small event dicts to every subscriber; callable from any thread. One process;
    several processes would put the same interface over Redis pub/sub."""

    def __init__(self) -> None:
        self._subscribers: set[Subscription] = set()

    def publish(self, kind: str, **data: Any) -> None:
        event = {"kind": kind, **data}
        for subscription in list(self._subscribers):
            if subscription.wants(event):
                call_in_loop(subscription.loop, lambda s=subscription: s.offer(event))

    @asynccontextmanager
    async def subscribe(
        self, kinds: Collection[str] | None = None, *, conversation_id: int | None = None
    ) -> AsyncIterator[Subscription]:
        """Events of the given kinds (all when None), of one conversation when given."""
        subscription = Subscription(kinds, conversation_id)
        self._subscribers.add(subscription)
        try:
            yield subscription
        finally:
            self._subscribers.discard(subscription)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)
