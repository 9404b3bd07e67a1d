"""Tests for ai_agents.db.inserts: a row inserted as a Core statement, handed back as loaded."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import inspect
from sqlmodel import Session

from ai_agents.db import migrate
from ai_agents.db.inserts import insert_row
from ai_agents.db.models import Agent, Integration, OutboxMessage
from ai_agents.db.session import make_engine, session_scope

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)


def test_the_object_is_the_stored_row_outside_the_session(database_url):
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            agent = Agent(name="A", model="m")
            session.add(agent)
            session.flush()
            integration = Integration(agent_id=agent.id, channel="telegram", provider="telegram_bot", config={})
            session.add(integration)
            session.flush()
            row = insert_row(session, OutboxMessage, idempotency_key="k1", integration_id=integration.id,
                             recipient="42", text="hi", next_attempt_at=NOW, created_at=NOW)
            assert row not in session and inspect(row).transient
            row.text = "changed later"  # not in the session: writes nothing
        with Session(engine) as session:
            stored = session.get(OutboxMessage, row.id)
            assert stored.text == "hi"
            row.text = "hi"
            # every column as stored: the given ones, the table's defaults and the new id
            assert row.model_dump() == stored.model_dump()
            assert (row.kind, row.status, row.attempts, row.parts_sent) == ("reply", "pending", 0, 0)
    finally:
        engine.dispose()
