"""Database access off the event loop: the platform's worker threads (run_db) vs SQLAlchemy's asyncio engine.

Run: .venv/bin/python -m benchmarks.db_access [--transactions 3000] [--concurrency 20] [--runs 3]
                                              [--database-url postgresql://...]  (an empty database)
The work is the shape of the accept's transaction: read a conversation by its chat, insert the
message, update the conversation; `concurrency` tasks at once, each transaction on its own.
- thread: the sync engine in a worker thread per transaction (`run_db`), SQLite writers taking
  turns in-process (`connection_scope`), as the platform does;
- asyncio: `create_async_engine` (aiosqlite on SQLite, psycopg's async connection on PostgreSQL),
  SQLite writers taking turns on an asyncio lock held for the transaction.
Each mode runs in a fresh child process (its own CPU time), alternating; printed: transactions/s,
CPU per transaction, the event loop's lag (p99, max) under the load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from sqlalchemy import Column, DateTime, ForeignKey, Integer, MetaData, String, Table, func, select, update

from benchmarks.common import cpu_seconds, median_figures, run_in_fresh_processes
from benchmarks.probes import LoopLagProbe

MODES = ("thread", "asyncio")
CHATS = 200
metadata = MetaData()
conversations = Table(
    "bench_conversations", metadata,
    Column("id", Integer, primary_key=True),
    Column("remote_id", String(64), unique=True, nullable=False),
    Column("messages", Integer, nullable=False, default=0),
    Column("last_message_at", DateTime),
)
messages = Table(
    "bench_messages", metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", ForeignKey("bench_conversations.id"), nullable=False, index=True),
    Column("text", String(4000), nullable=False),
    Column("created_at", DateTime, nullable=False),
)


def _statements(n: int):
    """The three statements of transaction n: (find the conversation, insert, update given its id)."""
    find = select(conversations.c.id).where(conversations.c.remote_id == f"chat-{n % CHATS}")
    insert = messages.insert().values(text=f"message {n}", created_at=func.now())

    def touch(conversation_id: int):
        return (update(conversations).where(conversations.c.id == conversation_id)
                .values(messages=conversations.c.messages + 1, last_message_at=func.now()))

    return find, insert, touch


def _prepare(url: str) -> None:
    from ai_agents.db.session import make_engine

    engine = make_engine(url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(conversations.insert(), [{"remote_id": f"chat-{i}", "messages": 0} for i in range(CHATS)])
    engine.dispose()


async def _thread_mode(url: str, transactions: int, concurrency: int) -> None:
    from ai_agents.db.session import connection_scope, make_engine, run_db

    engine = make_engine(url)

    def one(n: int) -> None:
        find, insert, touch = _statements(n)
        with connection_scope(engine) as connection:
            conversation_id = connection.execute(find).scalar_one()
            connection.execute(insert.values(conversation_id=conversation_id))
            connection.execute(touch(conversation_id))

    await _drive(lambda n: run_db(engine, one, n), transactions, concurrency)
    engine.dispose()


async def _asyncio_mode(url: str, transactions: int, concurrency: int) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    sqlite = url.startswith("sqlite")
    async_url = url.replace("sqlite://", "sqlite+aiosqlite://") if sqlite else url.replace(
        "postgresql://", "postgresql+psycopg://")
    engine = create_async_engine(async_url, pool_size=8, max_overflow=8)
    turns = asyncio.Lock() if sqlite else nullcontext()

    async def one(n: int) -> None:
        find, insert, touch = _statements(n)
        async with turns, engine.begin() as connection:
            conversation_id = (await connection.execute(find)).scalar_one()
            await connection.execute(insert.values(conversation_id=conversation_id))
            await connection.execute(touch(conversation_id))

    await _drive(one, transactions, concurrency)
    await engine.dispose()


async def _drive(transaction, transactions: int, concurrency: int) -> None:
    """Warm up, then `transactions` transactions from `concurrency` tasks; print the figures as JSON."""
    for n in range(concurrency):
        await transaction(n)
    lag = LoopLagProbe().start()
    left = iter(range(transactions))
    cpu, started = cpu_seconds(), time.perf_counter()

    async def worker() -> None:
        for n in left:
            await transaction(n)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed, cpu = time.perf_counter() - started, cpu_seconds() - cpu
    await lag.stop()
    summary = lag.summary()
    print(json.dumps({"per_s": transactions / elapsed, "cpu_us": cpu * 1e6 / transactions,
                      "lag_p99_ms": summary["lag_p99_ms"], "lag_max_ms": summary["lag_max_ms"]}))



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", choices=MODES, help="(in the child process) the mode to measure")
    parser.add_argument("--transactions", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--database-url", default="", help="e.g. postgresql://... (an empty database); default: temp SQLite"
    )
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='bench-db-')) / 'bench.db'}"
    if args.worker:
        runner = _thread_mode if args.worker == "thread" else _asyncio_mode
        asyncio.run(runner(url, args.transactions, args.concurrency))
        return
    load = ["--database-url", url, "--transactions", str(args.transactions), "--concurrency", str(args.concurrency)]
    results: dict[str, list[dict]] = {mode: [] for mode in MODES}
    for _ in range(args.runs):  # alternating, so a drift of the machine's speed hits both alike
        for mode in MODES:
            _prepare(url)
            results[mode] += run_in_fresh_processes("benchmarks.db_access", mode, 1, load)
    database = url.split(":", 1)[0]
    print(f"{args.transactions} transactions (select, insert, update) from {args.concurrency} tasks on {database}, "
          f"median of {args.runs} runs")
    print(f"{'mode':>8} {'tx/s':>8} {'CPU us/tx':>10} {'lag p99 ms':>11} {'lag max ms':>11}")
    medians = {mode: median_figures(runs) for mode, runs in results.items()}
    for mode, m in medians.items():
        print(f"{mode:>8} {m['per_s']:8.0f} {m['cpu_us']:10.0f} {m['lag_p99_ms']:11.1f} {m['lag_max_ms']:11.1f}")
    ratio = medians["asyncio"]["per_s"] / medians["thread"]["per_s"]
    print(f"asyncio engine: {ratio:.2f}x the thread mode's transactions per second")


if __name__ == "__main__":
    main()
