"""The database engine (SQLite in WAL mode, or PostgreSQL) and short-lived sessions."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from typing import Any, TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

T = TypeVar("T")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for the URL; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=8,
            max_overflow=8,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


# SQLite allows one writer at a time; its busy handler sleeps in growing steps (up to 100 ms)
# when threads collide. Writing sessions take turns in-process first (for their whole transaction:
# what they read before writing is not changed under them by a writer of this process); reads
# that write nothing use read_scope and take no turn.
_sqlite_turns = threading.RLock()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error (SQLite: in the writers' turn)."""
    turn = _sqlite_turns if engine.dialect.name == "sqlite" else nullcontext()
    with turn, Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def connection_scope(engine: Engine) -> Iterator[Connection]:
    """A Core transaction that commits on success (SQLite: in the writers' turn), without an ORM
    session: for work made only of Core statements the session's bookkeeping costs more than it."""
    turn = _sqlite_turns if engine.dialect.name == "sqlite" else nullcontext()
    with turn, engine.begin() as connection:
        yield connection


@contextmanager
def read_scope(engine: Engine) -> Iterator[Session]:
    """A session for reading only, outside the writers' turns: in WAL mode a reader sees one
    consistent snapshot and neither waits for writers nor holds them up (long reads: exports)."""
    with Session(engine, expire_on_commit=False) as session:
        yield session  # closing ends the read transaction; what was loaded stays readable


RETRYABLE_SQLSTATES = {"40P01", "40001"}  # PostgreSQL: deadlock detected, serialization failure


def transaction_retrying(engine: Engine, work: Callable[[Session], T], attempts: int = 3) -> T:
    """`work(session)` in one transaction, run again when the database aborted it to break a
    deadlock (PostgreSQL picks one of the transactions in the cycle). Blocking: call via run_db."""
    for attempt in range(1, attempts + 1):
        try:
            with session_scope(engine) as session:
                return work(session)
        except OperationalError as exc:
            if getattr(exc.orig, "sqlstate", None) not in RETRYABLE_SQLSTATES or attempt == attempts:
                raise
            time.sleep(0.05 * attempt)
    raise AssertionError("unreachable")


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means unreachable
        return False


async def run_db(engine: Engine, fn: Callable[..., T], *args: Any) -> T:
    """Run a database function in a worker thread, so the event loop never waits on the database
    (a SQLite writer's turn, a commit, PostgreSQL round trips). Measured with benchmarks/inbound.py
    at 0 ms LLM latency: loop lag p99 7-11 ms, against 92-102 ms when run inline on SQLite."""
    return await asyncio.to_thread(fn, *args)
