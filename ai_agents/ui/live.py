"""The push path of the UI: one live-updates loop per tab and page state, fed in bursts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Collection
from contextlib import aclosing, asynccontextmanager
from typing import Any

from ai_agents.ui.platform import platform_context

SETTLE_SECONDS = 0.05  # after an event, wait this long to handle the events of a burst together
_LOOPS: dict[tuple[str, str], asyncio.Task] = {}  # (state, tab) -> its running loop, this process


def running_loops() -> int:
    return len(_LOOPS)


async def live_bursts(
    owner: tuple[str, str], kinds: Collection[str], min_interval: float = 0.0
) -> AsyncIterator[list[dict[str, Any]]]:
    """Bursts of live events of the given kinds, until cancelled (navigation, disconnect), at most
    one per `min_interval` seconds (a campaign's thousands of sends: a few refreshes a second).
    One loop per owner (state name, tab token): a newer loop of the same owner replaces an older
    one. Use under `contextlib.aclosing` so the subscription ends with the loop."""
    task = asyncio.current_task()
    previous = _LOOPS.get(owner)
    if previous is not None and previous is not task:
        previous.cancel()
    _LOOPS[owner] = task
    try:
        async with platform_context().live.subscribe(kinds) as events:
            loop = asyncio.get_running_loop()
            last = -min_interval
            while True:
                first = await events.get()
                await asyncio.sleep(max(SETTLE_SECONDS, last + min_interval - loop.time()))
                last = loop.time()
                yield [first, *events.drain()]
    finally:
        if _LOOPS.get(owner) is task:
            del _LOOPS[owner]


@asynccontextmanager
async def tab_bursts(state: Any, kinds: Collection[str], min_interval: float = 0.0):
    """`live_bursts` for a background event of `state`, owned by its state class and the tab: the
    loop every page's `follow` runs; the subscription ends when the block does."""
    async with state:
        owner = (state.get_full_name(), state.router.session.client_token)
    async with aclosing(live_bursts(owner, kinds, min_interval)) as bursts:
        yield bursts
