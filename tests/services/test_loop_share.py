"""LoopShare: tasks woken together spread their CPU-heavy steps over the loop's passes, and all finish."""

from __future__ import annotations

import asyncio
import time

from ai_agents.services.loop_share import LoopShare


def spin(seconds: float) -> None:
    """CPU work that holds the loop, as building a request does."""
    until = time.perf_counter() + seconds
    while time.perf_counter() < until:
        pass


class PassCounter:
    """Counts the event loop's passes: a callback that schedules itself runs once per pass."""

    def __init__(self) -> None:
        self.count = 0
        self._handle = asyncio.get_running_loop().call_soon(self._tick)

    def _tick(self) -> None:
        self.count += 1
        self._handle = asyncio.get_running_loop().call_soon(self._tick)

    def stop(self) -> None:
        self._handle.cancel()


async def steps_per_pass(share: LoopShare | None, tasks: int = 20, step_s: float = 0.001) -> list[int]:
    """How many of `tasks` steps, woken in the same pass, ran in each pass of the loop."""
    passes = PassCounter()
    ran_in: list[int] = []
    start = asyncio.Event()

    async def turn() -> None:
        await start.wait()
        if share is not None:
            await share.turn()
        ran_in.append(passes.count)
        spin(step_s)

    workers = [asyncio.create_task(turn()) for _ in range(tasks)]
    await asyncio.sleep(0)
    start.set()  # every worker wakes in the same pass, as after a group commit
    await asyncio.gather(*workers)
    passes.stop()
    return [ran_in.count(number) for number in sorted(set(ran_in))]


async def test_without_turns_every_woken_step_runs_in_one_pass() -> None:
    assert await steps_per_pass(None) == [20]


async def test_steps_woken_together_take_at_most_a_slice_of_each_pass() -> None:
    per_pass = await steps_per_pass(LoopShare(slice_s=0.004), step_s=0.001)
    assert sum(per_pass) == 20
    assert max(per_pass) <= 5  # 4 ms of 1 ms steps (the one that crosses the slice included)
    assert len(per_pass) >= 4


async def test_the_first_step_of_each_pass_always_goes_on_so_every_task_finishes() -> None:
    assert await steps_per_pass(LoopShare(slice_s=0.0), tasks=6) == [1] * 6


async def test_a_timer_due_during_a_burst_runs_before_the_burst_ends() -> None:
    share = LoopShare(slice_s=0.004)
    loop = asyncio.get_running_loop()
    done: list[str] = []

    async def step() -> None:
        await share.turn()
        spin(0.001)
        done.append("step")

    workers = [loop.create_task(step()) for _ in range(30)]
    loop.call_later(0.002, done.append, "timer")
    await asyncio.gather(*workers)
    assert "timer" in done and done.index("timer") < 15  # not after the whole 30 ms burst
