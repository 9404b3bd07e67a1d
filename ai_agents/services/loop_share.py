"""Taking turns on the event loop: the CPU-heavy steps of many tasks spread over several of its passes."""

from __future__ import annotations

import asyncio
import time


class LoopShare:
    """Tasks woken together (a batch of arrivals stored in one transaction wakes every one of its
    turns; replies to many chats come back in one poll of the sockets) all run in the same pass of
    the event loop, one after the other, and the loop serves nothing else meanwhile: twenty turns
    building an LLM request at ~1 ms each held it for ~20 ms, timers and the websocket included.

    A task awaits `turn()` before such a step. It goes on at once while the current pass has spent
    less than `slice_s` since the first task that asked, and otherwise waits for the next pass,
    behind the timers and I/O come due meanwhile. The first to ask in each pass always goes on, so
    every task gets its turn; the work is the same, only spread."""

    def __init__(self, slice_s: float = 0.004) -> None:
        self.slice_s = slice_s
        self._pass_started: float | None = None

    async def turn(self) -> None:
        while True:
            now = time.perf_counter()
            if self._pass_started is None:
                self._pass_started = now
                asyncio.get_running_loop().call_soon(self._next_pass)  # runs at the next pass's start
                return
            if now - self._pass_started < self.slice_s:
                return
            await asyncio.sleep(0)

    def _next_pass(self) -> None:
        self._pass_started = None
