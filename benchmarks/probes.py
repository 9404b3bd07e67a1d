"""Probes the benchmarks run inside the platform's process: event-loop lag and database transactions."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections import Counter
from contextlib import suppress
from pathlib import Path

# Which step of a customer message's path a transaction belongs to, by the platform function that
# opened it (the function names, not the modules, so this survives moving modules into packages).
PHASES = {
    "store": "accept",
    "_next_turn": "turn",
    "store_outcomes": "outcome",
    "store_failure": "outcome",
    "_claim": "dispatch",
    "_mark_started": "dispatch",
    "sent": "dispatch",
    "failed": "dispatch",
    "_renew": "dispatch",
}
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile of the values (0.0 for none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


class LoopLagProbe:
    """A task that sleeps `interval` seconds in a loop and records how late the loop wakes it.
    A watchdog thread notes what the loop's thread was doing whenever a wake-up is `stall_ms` late
    (the innermost platform function and the innermost function of all), to say where it waits."""

    def __init__(self, interval: float = 0.01, stall_ms: float = 30) -> None:
        self.interval = interval
        self.stall_ms = stall_ms
        self.lags_ms: list[float] = []
        self.stalls: Counter[str] = Counter()
        self._task: asyncio.Task | None = None
        self._due = 0.0
        self._running = False

    def start(self) -> "LoopLagProbe":
        self._task = asyncio.get_running_loop().create_task(self._run(), name="loop-lag-probe")
        self._running = True
        loop_thread = threading.get_ident()
        threading.Thread(target=self._watch, args=(loop_thread,), daemon=True, name="lag-watchdog").start()
        return self

    async def _run(self) -> None:
        while True:
            asked = time.perf_counter()
            self._due = asked + self.interval
            await asyncio.sleep(self.interval)
            self.lags_ms.append(max(0.0, time.perf_counter() - asked - self.interval) * 1000)

    def _watch(self, loop_thread: int) -> None:
        noted_for = 0.0
        while self._running:
            time.sleep(0.005)
            due = self._due
            if due and due != noted_for and (time.perf_counter() - due) * 1000 > self.stall_ms:
                frame = sys._current_frames().get(loop_thread)
                if frame is not None:
                    self.stalls[_where_blocked(frame)] += 1
                noted_for = due

    def reset(self) -> None:
        self.lags_ms = []
        self.stalls = Counter()

    async def stop(self) -> None:
        self._running = False
        if self._task is not None:
            self._task.cancel()
            with suppress(asyncio.CancelledError):
                await self._task

    def summary(self) -> dict[str, float]:
        lags = self.lags_ms
        figures = {f"lag_p{pct}_ms": percentile(lags, pct) for pct in (50, 99)}
        return {**figures, "lag_max_ms": max(lags, default=0.0), "lag_samples": len(lags)}

    def print_stalls(self, limit: int = 8) -> None:
        print(f"  loop stalls over {self.stall_ms:.0f} ms, by what the loop's thread was doing:"
              + ("" if self.stalls else " none"))
        for where, count in self.stalls.most_common(limit):
            print(f"    {count:>4}  {where}")


def _where_blocked(frame) -> str:
    """'platform function <- innermost function' of a stack."""
    innermost = f"{frame.f_code.co_name} ({Path(frame.f_code.co_filename).name}:{frame.f_lineno})"
    while frame is not None and not frame.f_globals.get("__name__", "").startswith("ai_agents."):
        frame = frame.f_back
    platform = "no platform frame" if frame is None else f"{frame.f_globals['__name__']}.{frame.f_code.co_name}"
    return f"{platform} <- {innermost}"


class TransactionCounter:
    """Counts transactions (COMMIT/ROLLBACK), read-only ones and statements on a SQLAlchemy engine,
    each by the platform function that ran it (see PHASES)."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.engine = engine
        self._event = event
        self.reset()
        event.listen(engine, "before_cursor_execute", self._statement)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)

    def reset(self) -> None:
        self.statements: Counter[str] = Counter()  # by the function that opened the transaction
        self.issued_by: Counter[str] = Counter()  # by the nearest platform function
        self.commits: Counter[str] = Counter()
        self.read_only: Counter[str] = Counter()
        self.rollbacks: Counter[str] = Counter()

    def close(self) -> None:
        self._event.remove(self.engine, "before_cursor_execute", self._statement)
        self._event.remove(self.engine, "commit", self._commit)
        self._event.remove(self.engine, "rollback", self._rollback)

    def _statement(self, conn, _cursor, statement, _params, _context, _executemany) -> None:
        self.issued_by[_caller()] += 1
        conn.info["probe_statements"] = conn.info.get("probe_statements", 0) + 1
        if statement.lstrip().upper().startswith(WRITES):
            conn.info["probe_wrote"] = True

    def _commit(self, conn) -> None:
        where = _caller()
        self.commits[where] += 1
        self.statements[where] += conn.info.pop("probe_statements", 0)
        if not conn.info.pop("probe_wrote", False):
            self.read_only[where] += 1

    def _rollback(self, conn) -> None:
        where = _caller()
        conn.info.pop("probe_wrote", None)
        self.statements[where] += conn.info.pop("probe_statements", 0)
        self.rollbacks[where] += 1

    def summary(self) -> dict:
        """Per function that opened transactions: [commits, read-only commits, statements in them];
        statements by the function that issued them; rollbacks in all."""
        names = set(self.statements) | set(self.commits)
        by = {n: [self.commits[n], self.read_only[n], self.statements[n]] for n in sorted(names)}
        return {"by_function": by, "issued_by": dict(self.issued_by), "rollbacks": sum(self.rollbacks.values())}


def _caller() -> str:
    """module.function of the nearest platform frame outside ai_agents.db (who opened the session)."""
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith("ai_agents.") and not module.startswith("ai_agents.db"):
            return f"{module.removeprefix('ai_agents.')}.{frame.f_code.co_name}"
        frame = frame.f_back
    return "outside ai_agents"


def phase_of(where: str) -> str:
    return PHASES.get(where.rsplit(".", 1)[-1], "other")


def print_transactions(by_function: dict[str, list[int]], issued_by: dict[str, int], messages: int,
                       rollbacks: int = 0) -> None:
    """Transactions and statements per customer message, in all, by phase and by function."""
    total_tx = sum(v[0] for v in by_function.values())
    total_ro = sum(v[1] for v in by_function.values())
    total_st = sum(v[2] for v in by_function.values())
    writing, read_only = (total_tx - total_ro) / messages, total_ro / messages
    print(f"  per message: {total_tx / messages:.2f} transactions ({writing:.2f} writing, {read_only:.2f} "
          f"read-only), {total_st / messages:.2f} statements; rollbacks {rollbacks}")
    phases: dict[str, list[int]] = {}
    for where, (tx, ro, st) in by_function.items():
        acc = phases.setdefault(phase_of(where), [0, 0, 0])
        acc[0], acc[1], acc[2] = acc[0] + tx, acc[1] + ro, acc[2] + st
    print(f"  {'phase / function':<48} {'tx/msg':>7} {'ro/msg':>7} {'stmt/msg':>9}")
    for phase in ("accept", "turn", "outcome", "dispatch", "other"):
        if phase in phases:
            tx, ro, st = phases[phase]
            print(f"  {phase:<48} {tx / messages:>7.2f} {ro / messages:>7.2f} {st / messages:>9.2f}")
            for where, (tx, ro, st) in sorted(by_function.items(), key=lambda kv: -kv[1][2]):
                if phase_of(where) == phase:
                    print(f"    {where:<46} {tx / messages:>7.2f} {ro / messages:>7.2f} {st / messages:>9.2f}")
    print("  statements per message by the platform function that issued them:")
    for where, count in sorted(issued_by.items(), key=lambda kv: -kv[1]):
        print(f"    {where:<46} {count / messages:>7.2f}")
