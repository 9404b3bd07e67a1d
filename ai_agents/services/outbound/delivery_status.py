"""What channels report about messages we sent (delivered, read, failed), recorded on outbox rows and messages."""

from __future__ import annotations

from sqlmodel import select

from ai_agents.core.types import MessageStatus, OutboxStatus
from ai_agents.db.models import Message, OutboxMessage
from ai_agents.db.session import session_scope
from ai_agents.services.context import AppContext
from ai_agents.services.outbound.outbox_record import report_failure
from ai_agents.services.ports import DeliveryUpdate

# Reports may come out of order (read before delivered): a message only ever moves forward.
PROGRESS = {MessageStatus.SENT: 1, MessageStatus.DELIVERED: 2, MessageStatus.READ: 3}


def record_delivery_updates(ctx: AppContext, integration_id: int, updates: list[DeliveryUpdate]) -> int:
    """Apply the channel's reports to the outbox rows whose external_id they name (and to their
    messages); a failure fails the row and its message with the reason and an alert. Returns how
    many reports matched a row of ours."""
    now = ctx.clock.now()
    conversations: set[int] = set()
    matched = 0
    with session_scope(ctx.engine) as session:
        ids = list({update.external_id for update in updates})
        rows = {
            row.external_id: row
            for row in session.exec(
                select(OutboxMessage).where(
                    OutboxMessage.integration_id == integration_id, OutboxMessage.external_id.in_(ids)
                )
            )
        }
        for update in updates:
            row = rows.get(update.external_id)
            if row is None or row.delivery_status == MessageStatus.FAILED:
                continue
            matched += 1
            if update.status == MessageStatus.FAILED:
                reason = update.error or "the channel could not deliver it"
                row.delivery_status, row.status, row.last_error = MessageStatus.FAILED, OutboxStatus.FAILED, reason
                report_failure(session, row, reason, now)
            elif PROGRESS.get(update.status, 0) > PROGRESS.get(row.delivery_status, 0):
                row.delivery_status = update.status
                message = session.get(Message, row.message_id) if row.message_id is not None else None
                if message is not None and message.status in PROGRESS:
                    message.status = update.status
            if row.conversation_id is not None:
                conversations.add(row.conversation_id)
    for conversation_id in conversations:
        ctx.live.publish("message", conversation_id=conversation_id)
    return matched
