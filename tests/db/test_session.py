"""Sessions: long reads outside the writers' turns; transactions run again after a deadlock abort."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from sqlalchemy import update
from sqlmodel import select

from ai_agents.db import migrate
from ai_agents.db.models import Agent
from ai_agents.db.session import _sqlite_turns, make_engine, read_scope, run_db, session_scope, transaction_retrying


def test_a_read_does_not_wait_for_a_writer_holding_its_turn(tmp_path):
    url = f"sqlite:///{tmp_path / 'reads.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        session.add(Agent(name="Kept", model="m"))
    names: list[str] = []

    def read() -> None:
        with read_scope(engine) as session:
            names.extend(agent.name for agent in session.exec(select(Agent)))

    with _sqlite_turns:  # a writer's turn held in this thread for the whole read
        reader = threading.Thread(target=read)
        reader.start()
        reader.join(timeout=5)
        finished = not reader.is_alive()
    reader.join()
    engine.dispose()
    assert finished, "the read waited for the writers' turn"
    assert names == ["Kept"]


def _sqlite_engine(tmp_path, name: str):
    url = f"sqlite:///{tmp_path / name}"
    migrate.upgrade(url)
    return make_engine(url)


def _in_thread(work) -> bool:
    """Run `work` in another thread; whether it finished within 2 s."""
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(timeout=2)
    return not thread.is_alive()


async def test_the_event_loop_runs_while_a_database_function_waits_for_the_writers_turn(tmp_path):
    """run_db runs in a worker thread: a writer's turn held elsewhere (a long export's insert, a
    commit) never stops the loop."""
    engine = _sqlite_engine(tmp_path, "loop.db")
    ticks: list[float] = []

    async def tick() -> None:
        while True:
            ticks.append(time.monotonic())
            await asyncio.sleep(0.01)

    def write() -> None:
        with session_scope(engine) as session:
            session.add(Agent(name="Waited", model="m"))

    held = threading.Event()

    def other_writer() -> None:  # holds the turn for 0.3 s
        with _sqlite_turns:
            held.set()
            time.sleep(0.3)

    ticker = asyncio.create_task(tick())
    writer = threading.Thread(target=other_writer, daemon=True)
    writer.start()
    try:
        held.wait(2)
        started = time.monotonic()
        await run_db(engine, write)
    finally:
        ticker.cancel()
        writer.join()
    assert time.monotonic() - started >= 0.25  # it did wait for the turn ...
    assert len([t for t in ticks if t >= started]) >= 10  # ... and the loop ran meanwhile
    engine.dispose()


def test_a_transaction_aborted_to_break_a_deadlock_is_run_again(pg_server):
    """PostgreSQL aborts one transaction of a lock cycle (the one that waited longest); the
    retrying one then runs again and its work is done, not lost as a 500."""
    if pg_server is None:
        pytest.fail("PostgreSQL is not installed; `make test` installs it")
    url = pg_server.create_database()
    migrate.upgrade(url)
    engine = make_engine(url)
    with session_scope(engine) as session:
        session.add_all([Agent(name="one", model="m"), Agent(name="two", model="m")])
    first_pass, other_has_two = threading.Event(), threading.Event()
    attempts: list[int] = []

    def rename(name: str, agent_id: int, session) -> None:
        session.exec(update(Agent).where(Agent.id == agent_id).values(name=name))
        session.flush()

    def retried_work(session) -> None:  # locks 1 then 2, and waits first: PostgreSQL aborts it
        attempts.append(1)
        rename("retried", 1, session)
        if len(attempts) == 1:
            first_pass.set()
            other_has_two.wait(5)
        rename("retried", 2, session)

    def other() -> None:  # locks 2, then 1 a little later
        with session_scope(engine) as session:
            first_pass.wait(5)
            rename("other", 2, session)
            other_has_two.set()
            time.sleep(0.3)
            rename("other", 1, session)

    retrying = threading.Thread(target=transaction_retrying, args=(engine, retried_work))
    blocker = threading.Thread(target=other)
    retrying.start()
    blocker.start()
    retrying.join(20)
    blocker.join(20)
    with session_scope(engine) as session:
        names = [a.name for a in session.exec(select(Agent).order_by(Agent.id))]
    engine.dispose()
    assert len(attempts) == 2
    assert names == ["retried", "retried"]
