"""The durable outbox: every outgoing message is a row first (here), then sent by the dispatcher."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ai_agents.core.types import MessageStatus, OutboxStatus
from ai_agents.db.detached import insert_row
from ai_agents.db.models import Conversation, Message, OutboxMessage
from ai_agents.db.session import session_scope
from ai_agents.services.context import AppContext
from ai_agents.services.outbound import outbox_claim as claims
from ai_agents.services.outbound.outbox_claim import INTERRUPTED
from ai_agents.services.outbound.outbox_record import ChannelDown

__all__ = ["INTERRUPTED", "ChannelDown", "enqueue", "queue_in_conversation", "queue_message", "resume_held"]


def enqueue(session: Session, ctx: AppContext, *, fresh: bool = False, **fields) -> OutboxMessage | None:
    """Add an outbox row unless its idempotency key exists already (then None). `fresh`: the key
    cannot exist yet (it names a message stored in this transaction), so the row is just added."""
    if fresh:
        return insert_row(session, OutboxMessage, next_attempt_at=ctx.clock.now(), created_at=ctx.clock.now(),
                          **fields)
    row = OutboxMessage(next_attempt_at=ctx.clock.now(), created_at=ctx.clock.now(), **fields)
    key = fields["idempotency_key"]
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)).first():
        return None
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # a concurrent writer got there first
        return None
    return row


def queue_message(session: Session, ctx: AppContext, conversation: Conversation, **fields: Any) -> Message:
    """Store an outgoing message of a conversation and its outbox row (key: kind:message id);
    the fields are those of `queue_in_conversation`."""
    return queue_in_conversation(session, ctx, conversation, **fields)[0]


def queue_in_conversation(
    session: Session,
    ctx: AppContext,
    conversation: Conversation,
    *,
    role: str,
    kind: str,
    text: str,
    key: str | None = None,
    translation: str | None = None,
    author: str | None = None,
    lease: Any = None,
) -> tuple[Message, OutboxMessage | None]:
    """`queue_message`, also returning the outbox row (None: the key existed). With `lease` (a
    services.ports.DirectSend reservation) the row is written already leased to its sender, unless
    an earlier row to the same recipient is still to go (order first: then it waits for a claim)."""
    now = ctx.clock.now()
    message = insert_row(
        session,
        Message,
        conversation_id=conversation.id,
        integration_id=conversation.integration_id,
        role=role,
        kind=kind,
        text=text,
        translation=translation,
        author=author,
        language=conversation.language,
        status=MessageStatus.QUEUED,
        created_at=now,
    )
    leased = {}
    if lease is not None and not claims.has_active_rows(session, conversation.integration_id, conversation.remote_id):
        leased = {"status": OutboxStatus.SENDING, "lease_owner": lease.owner, "lease_until": lease.until}
    row = enqueue(
        session,
        ctx,
        fresh=key is None,
        idempotency_key=key or f"{kind}:{message.id}",
        integration_id=conversation.integration_id,
        recipient=conversation.remote_id,
        text=text,
        kind=kind,
        conversation_id=conversation.id,
        message_id=message.id,
        **leased,
    )
    conversation.last_message_at = conversation.last_agent_message_at = now
    if kind in ("reply", "manager"):
        conversation.follow_up_state = None  # follow-ups count from this message
    return message, row


def resume_held(ctx: AppContext, integration_id: int) -> int:
    """The integration is connected (again): its held and retrying rows are due now."""
    with session_scope(ctx.engine) as session:
        return claims.resume_held(session, integration_id, ctx.clock.now())
