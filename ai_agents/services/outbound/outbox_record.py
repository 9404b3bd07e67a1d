"""What a send did, recorded by the lease holder only: sent, retried later, held, or failed with the reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Connection, bindparam, update
from sqlmodel import Session

from ai_agents.core.retry import backoff_delay
from ai_agents.core.types import AlertKind, MessageStatus, OutboxStatus
from ai_agents.db.models import Alert, Conversation, Message, OutboxMessage
from ai_agents.services.outbound.outbox_claim import BULK_KINDS
from ai_agents.services.ports import SendError, SendResult

BACKOFF_CAP_SECONDS = 300.0
HELD_RECHECK_SECONDS = 5.0  # a held row is claimed again only once its integration runs; this is a floor


class ChannelDown(SendError):
    """The integration is not running here: the message waits without using up its attempts."""

    def __init__(self, reason: str):
        super().__init__(reason, transient=True)


class Outcome(StrEnum):
    SENT = "sent"
    HELD = "held"  # the channel is not running here: waits, no attempt used
    RETRY = "retry"
    FAILED = "failed"
    LOST_LEASE = "lost_lease"  # another sender holds the row now, or it was deleted: nothing recorded


@dataclass(frozen=True)
class RetryPolicy:
    """Conversation messages retry for a time budget; campaign rows for a number of attempts."""

    retry_window: timedelta = timedelta(hours=24)
    campaign_attempts: int = 8
    retry_base: float = 2.0

    def gives_up(self, row: OutboxMessage, attempts: int, now: datetime) -> str | None:
        """Why a transiently failed row is not retried again (None: retry it)."""
        if row.kind in BULK_KINDS:
            return f"gave up after {attempts} attempts" if attempts >= self.campaign_attempts else None
        if now - row.created_at >= self.retry_window:
            return f"gave up after {self.retry_window.total_seconds() / 3600:g} h of retries"
        return None


def _held_by_me(row: OutboxMessage):
    return (OutboxMessage.id == row.id, OutboxMessage.lease_owner == row.lease_owner,
            OutboxMessage.status == OutboxStatus.SENDING)


# Built once with parameters (building a statement costs more than running it).
MARK_SENT = update(OutboxMessage).where(
    OutboxMessage.id == bindparam("row_id"), OutboxMessage.lease_owner == bindparam("owner"),
    OutboxMessage.status == OutboxStatus.SENDING,
).values(
    status=OutboxStatus.SENT, sent_at=bindparam("now"), external_id=bindparam("external_id"),
    attempt_started_at=None, attempts=OutboxMessage.attempts + 1, lease_owner=None, lease_until=None,
    parts_sent=bindparam("parts_sent"),
)
MESSAGE_SENT = update(Message).where(Message.id == bindparam("message_id")).values(status=MessageStatus.SENT)


def record_sent(connection: Connection, row: OutboxMessage, result: SendResult, now: datetime) -> Outcome:
    """The channel took the message: the row is sent (only if this sender still holds its lease).
    Core statements in a Core transaction (db.session.connection_scope): the ORM's bulk-update path
    and its session cost more than the two statements themselves."""
    written = connection.execute(MARK_SENT, {
        "row_id": row.id, "owner": row.lease_owner, "now": now, "external_id": result.external_id,
        "parts_sent": max(row.parts_sent, result.parts_sent),
    })
    if written.rowcount == 0:
        return Outcome.LOST_LEASE
    if row.message_id is not None:
        connection.execute(MESSAGE_SENT, {"message_id": row.message_id})
    return Outcome.SENT


def record_failed(
    session: Session, row: OutboxMessage, exc: SendError, now: datetime, policy: RetryPolicy
) -> tuple[Outcome, float, str]:
    """Hold, retry later or fail the row; returns (outcome, seconds until the retry, reason)."""
    parts = max(row.parts_sent, exc.parts_sent)
    values = {"lease_owner": None, "lease_until": None, "attempt_started_at": None, "last_error": exc.reason,
              "parts_sent": parts}
    attempts, delay, reason = row.attempts + 1, 0.0, exc.reason
    if isinstance(exc, ChannelDown):
        outcome, attempts, delay = Outcome.HELD, row.attempts, HELD_RECHECK_SECONDS
    elif not exc.transient:
        outcome = Outcome.FAILED
    elif exc.outcome_unknown and row.kind in BULK_KINDS:
        outcome = Outcome.FAILED  # the channel may have delivered it: a campaign row is never sent twice
        reason = f"delivery unknown ({exc.reason}); not resent, to never send it twice"
    elif given_up := policy.gives_up(row, attempts, now):
        outcome, reason = Outcome.FAILED, f"{exc.reason} ({given_up})"
    else:
        outcome = Outcome.RETRY
        delay = max(exc.retry_after or 0, backoff_delay(attempts, base=policy.retry_base, cap=BACKOFF_CAP_SECONDS))
    status = OutboxStatus.FAILED if outcome == Outcome.FAILED else OutboxStatus.PENDING
    values.update(status=status, attempts=attempts, last_error=reason, next_attempt_at=now + timedelta(seconds=delay))
    written = session.exec(update(OutboxMessage).where(*_held_by_me(row)).values(**values))
    if written.rowcount == 0:
        return Outcome.LOST_LEASE, 0.0, reason
    if outcome == Outcome.FAILED:
        report_failure(session, row, reason, now)
    return outcome, delay, reason


def report_failure(session: Session, row: OutboxMessage, reason: str, now: datetime) -> None:
    """The message of a conversation is marked failed, with an alert for the team."""
    if row.message_id is not None:
        message = session.get(Message, row.message_id)
        if message is not None:
            message.status, message.error = MessageStatus.FAILED, reason
    if row.conversation_id is None:
        return
    conversation = session.get(Conversation, row.conversation_id)
    if conversation is not None:
        conversation.last_error = f"delivery failed: {reason}"
        session.add(
            Alert(
                kind=AlertKind.DELIVERY_FAILURE,
                agent_id=conversation.agent_id,
                conversation_id=conversation.id,
                message_id=row.message_id,
                integration_id=row.integration_id,
                text=f"Could not deliver a message to {row.recipient}: {reason}",
                created_at=now,
            )
        )
