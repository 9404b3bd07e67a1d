"""Many conversation messages queued at once: each with its outbox row, never a key twice."""

from __future__ import annotations

from sqlmodel import select

from ai_agents.db.models import Agent, Conversation, Message
from ai_agents.db.session import session_scope
from ai_agents.services.outbound.outbox_batch import Outgoing, queue_many
from tests.support.outbox import make_integration, outbox_rows


def conversations(ctx, integration_id: int, count: int) -> list[int]:
    with session_scope(ctx.engine) as session:
        agent_id = session.exec(select(Agent.id)).first()
        rows = [Conversation(agent_id=agent_id, integration_id=integration_id, channel="telegram",
                             remote_id=str(500 + n), language="es") for n in range(count)]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def queue_follow_ups(ctx, ids: list[int], keys: list[str]) -> list[str]:
    with session_scope(ctx.engine) as session:
        loaded = {c.id: c for c in session.exec(select(Conversation).where(Conversation.id.in_(ids)))}
        items = [Outgoing(loaded[i], "system", "follow_up", f"¿Sigues ahí? {i}", key, translation=f"Still there? {i}")
                 for i, key in zip(ids, keys, strict=True)]
        return [item.key for item in queue_many(session, ctx, items)]


def test_each_message_gets_its_row_and_a_key_queued_before_is_left_out(ctx):
    integration_id = make_integration(ctx)
    ids = conversations(ctx, integration_id, 3)
    assert queue_follow_ups(ctx, ids[:1], ["fu:a"]) == ["fu:a"]
    assert queue_follow_ups(ctx, ids, ["fu:a", "fu:b", "fu:c"]) == ["fu:b", "fu:c"]  # fu:a exists
    rows = outbox_rows(ctx)
    assert sorted(row.idempotency_key for row in rows) == ["fu:a", "fu:b", "fu:c"]
    with session_scope(ctx.engine) as session:
        messages = {m.id: m for m in session.exec(select(Message))}
        stamped = session.exec(select(Conversation).where(Conversation.last_agent_message_at.is_not(None))).all()
    for row in rows:  # each row points at its own message, in its conversation, with both texts
        message = messages[row.message_id]
        assert (message.conversation_id, message.text, row.text) == (row.conversation_id, row.text, row.text)
        assert message.translation == row.text.replace("¿Sigues ahí?", "Still there?")
        assert (message.status, message.language, row.status, row.recipient) == (
            "queued", "es", "pending", str(500 + ids.index(row.conversation_id)))
    assert len(stamped) == 3
