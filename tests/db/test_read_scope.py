"""Long reads (exports) run outside the writers' turns: they neither wait for them nor hold them up."""

from __future__ import annotations

import threading

from sqlmodel import select

from ai_agents.db import migrate
from ai_agents.db.models import Agent
from ai_agents.db.session import _sqlite_turns, make_engine, read_scope, session_scope


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
