"""Group commit: work that arrives while a transaction runs waits for the next one, which does it all."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy.engine import Engine

from ai_agents.db.session import run_db

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    """Items submitted while a batch is being stored wait for the next batch, which stores every
    item waiting by then: `store(items)` runs one transaction in a worker thread and returns one
    result per item, in order. Under load this turns many small transactions (a thread hand-off,
    a writer's turn and a commit each) into a few; alone, an item is stored at once as before.
    When a batch fails, each of its items is stored alone, so only an item that fails by itself
    gets an error (raised to its caller)."""

    def __init__(self, engine: Engine, store: Callable[[list[Item]], list[Result]], name: str) -> None:
        self.engine, self.store, self.name = engine, store, name
        self._waiting: list[tuple[Item, asyncio.Future]] = []
        self._storing: asyncio.Task | None = None

    async def submit(self, item: Item) -> Result:
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._storing is None or self._storing.done():
            self._storing = asyncio.create_task(self._store_waiting(), name=self.name)
        return await future

    async def _store_waiting(self) -> None:
        batch: list[tuple[Item, asyncio.Future]] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                await self._store_batch(batch)
        except asyncio.CancelledError:  # stopping: no caller waits for an answer that cannot come
            for _, future in [*batch, *self._waiting]:
                future.cancel()
            raise

    async def _store_batch(self, batch: list[tuple[Item, asyncio.Future]]) -> None:
        try:
            results: list = await run_db(self.engine, self.store, [item for item, _ in batch])
        except Exception as exc:  # noqa: BLE001 - told to its callers, each alone when several
            results = [exc] if len(batch) == 1 else [await self._store_alone(item) for item, _ in batch]
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():  # its caller was cancelled
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def _store_alone(self, item: Item) -> Result | Exception:
        try:
            return (await run_db(self.engine, self.store, [item]))[0]
        except Exception as exc:  # noqa: BLE001 - this item's own error, told to its caller
            return exc
