"""Group commit: what arrives during a transaction goes into the next one; a bad item fails alone."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from ai_agents.db.group_commit import GroupCommit


class Store:
    """A store function that records its batches; the first batch waits until released."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.batches: list[list[str]] = []
        self.first_may_end = threading.Event()
        self.fail_on = fail_on

    def __call__(self, items: list[str]) -> list[str]:
        self.batches.append(list(items))
        if len(self.batches) == 1:
            self.first_may_end.wait(5)
        if self.fail_on in items:
            raise ValueError(f"cannot store {self.fail_on}")
        return [item.upper() for item in items]


async def test_items_that_arrive_while_a_batch_is_stored_go_together_into_the_next(ctx):
    store = Store()
    commits = GroupCommit(ctx.engine, store, "test")
    first = asyncio.create_task(commits.submit("a"))
    await asyncio.sleep(0.05)  # "a" is being stored
    later = [asyncio.create_task(commits.submit(item)) for item in "bcd"]
    await asyncio.sleep(0.05)
    store.first_may_end.set()
    assert await first == "A"
    assert [await task for task in later] == ["B", "C", "D"]  # each caller gets its own result
    assert store.batches == [["a"], ["b", "c", "d"]]


async def test_when_a_batch_fails_each_item_is_stored_alone_and_only_the_bad_one_fails(ctx):
    store = Store(fail_on="bad")
    commits = GroupCommit(ctx.engine, store, "test")
    first = asyncio.create_task(commits.submit("a"))
    await asyncio.sleep(0.05)
    later = [asyncio.create_task(commits.submit(item)) for item in ("b", "bad", "c")]
    await asyncio.sleep(0.05)
    store.first_may_end.set()
    assert await first == "A"
    assert await later[0] == "B" and await later[2] == "C"
    with pytest.raises(ValueError, match="cannot store bad"):
        await later[1]
    assert store.batches == [["a"], ["b", "bad", "c"], ["b"], ["bad"], ["c"]]


async def test_one_item_alone_is_stored_at_once(ctx):
    store = Store()
    store.first_may_end.set()
    commits = GroupCommit(ctx.engine, store, "test")
    assert await commits.submit("x") == "X"
    assert await commits.submit("y") == "Y"
    assert store.batches == [["x"], ["y"]]


async def test_a_caller_is_not_left_waiting_when_storing_is_cancelled(ctx):
    commits = GroupCommit(ctx.engine, lambda items: time.sleep(0.3) or [None] * len(items), "test")
    caller = asyncio.create_task(commits.submit("hi"))
    await asyncio.sleep(0.05)
    commits._storing.cancel()  # as when the platform stops while a batch is being stored
    try:
        async with asyncio.timeout(2):
            await caller
    except asyncio.CancelledError:
        pass  # told, not left waiting
    assert caller.done()
