"""Tests for ai_agents.db.detached: a row inserted as a Core statement, handed back as loaded."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import inspect
from sqlmodel import Session

from ai_agents.db import migrate
from ai_agents.db.detached import insert_row
from ai_agents.db.models import Agent, Integration, OutboxMessage
from ai_agents.db.session import make_engine, session_scope

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)


def _integration(session: Session) -> Integration:
    agent = Agent(name="A", model="m")
    session.add(agent)
    session.flush()
    integration = Integration(agent_id=agent.id, channel="telegram", provider="telegram_bot", config={})
    session.add(integration)
    session.flush()
    return integration


def test_the_object_is_the_stored_row_outside_the_session(database_url):
    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            integration = _integration(session)
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


def test_a_row_read_detached_is_written_back_with_the_changed_columns_only(database_url):
    from sqlalchemy import bindparam, event, select

    from ai_agents.db.detached import columns_of, select_row, update_changed
    from ai_agents.db.models import Conversation

    migrate.upgrade(database_url)
    engine = make_engine(database_url)
    by_id = select(Conversation.__table__).where(Conversation.id == bindparam("id"))
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    try:
        with session_scope(engine) as session:
            integration = _integration(session)
            made = Conversation(agent_id=integration.agent_id, integration_id=integration.id, channel="telegram", remote_id="7",
                                contact_name="Ann", created_at=NOW, last_message_at=NOW)
            session.add(made)
        with session_scope(engine) as session:
            assert select_row(session, Conversation, by_id, {"id": made.id + 1000}) is None
            conversation = select_row(session, Conversation, by_id, {"id": made.id})
            assert conversation not in session and conversation.contact_name == "Ann"
            before = columns_of(conversation)
            statements.clear()
            assert update_changed(session, conversation, before) is False and statements == []  # nothing changed
            conversation.manual_mode, conversation.last_message_at = True, NOW.replace(hour=11)
            assert update_changed(session, conversation, before) is True
            (written,) = statements
            assert "manual_mode" in written and "last_message_at" in written and "contact_name" not in written
        with Session(engine) as session:
            stored = session.get(Conversation, made.id)
            assert (stored.manual_mode, stored.last_message_at, stored.contact_name) == (True, NOW.replace(hour=11), "Ann")
    finally:
        engine.dispose()
