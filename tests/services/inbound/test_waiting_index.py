"""A conversation's next unhandled message is found through the partial index, not its history."""

from __future__ import annotations

from sqlalchemy import text

from ai_agents.db import migrate
from ai_agents.db.session import make_engine
from ai_agents.services.inbound.turn_loader import OLDEST_WAITING, WAITING


def test_the_next_waiting_message_is_looked_up_through_the_waiting_index(database_url):
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("SET enable_seqscan = off"))  # tiny tables: as with many rows
            explain = "EXPLAIN QUERY PLAN" if engine.dialect.name == "sqlite" else "EXPLAIN"
            for statement in (WAITING, OLDEST_WAITING):
                sql = statement.params(conversation_id=1).compile(
                    dialect=engine.dialect, compile_kwargs={"literal_binds": True})
                plan = " ".join(str(row) for row in connection.exec_driver_sql(f"{explain} {sql}"))
                assert "ix_messages_waiting" in plan, plan
    finally:
        engine.dispose()
