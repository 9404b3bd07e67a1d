"""Many outgoing conversation messages at once (follow-ups): a few statements, not a few per message."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert
from sqlmodel import Session, select

from ai_agents.core.types import MessageStatus, OutboxStatus
from ai_agents.db.models import Conversation, Message, OutboxMessage
from ai_agents.services.context import AppContext

KEYS_PER_QUERY = 500


@dataclass(frozen=True)
class Outgoing:
    """One message to queue in a conversation, with the idempotency key of its outbox row."""

    conversation: Conversation
    role: str
    kind: str
    text: str
    key: str
    translation: str | None = None


def queue_many(session: Session, ctx: AppContext, items: list[Outgoing]) -> list[Outgoing]:
    """Store the messages and their outbox rows as `queue_message` does, in one multi-row insert
    each (Core statements: no ORM object per row). Items whose key is queued already are left out;
    returns the items queued."""
    connection = session.connection()
    known: set[str] = set()
    keys = [item.key for item in items]
    for start in range(0, len(keys), KEYS_PER_QUERY):
        chunk = keys[start : start + KEYS_PER_QUERY]
        known.update(connection.execute(
            select(OutboxMessage.idempotency_key).where(OutboxMessage.idempotency_key.in_(chunk))
        ).scalars())
    items = [item for item in items if item.key not in known]
    if not items:
        return []
    now = ctx.clock.now()
    messages = [
        {"conversation_id": item.conversation.id, "integration_id": item.conversation.integration_id,
         "role": item.role, "kind": item.kind, "text": item.text, "translation": item.translation,
         "language": item.conversation.language, "status": MessageStatus.QUEUED, "created_at": now}
        for item in items
    ]
    returning = insert(Message).returning(Message.id, sort_by_parameter_order=True)
    message_ids = connection.execute(returning, messages).scalars().all()
    connection.execute(insert(OutboxMessage), [
        {"idempotency_key": item.key, "integration_id": item.conversation.integration_id,
         "recipient": item.conversation.remote_id, "text": item.text, "kind": item.kind,
         "conversation_id": item.conversation.id, "message_id": message_id, "status": OutboxStatus.PENDING,
         "attempts": 0, "parts_sent": 0, "next_attempt_at": now, "created_at": now}
        for item, message_id in zip(items, message_ids, strict=True)
    ])
    for item in items:
        item.conversation.last_message_at = item.conversation.last_agent_message_at = now
    return items
