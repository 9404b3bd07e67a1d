"""The end of a turn: what its stages decided, stored on the conversation as it is by then."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, update
from sqlmodel import Session, select

from ai_agents.core.types import AlertKind, MessageStatus, Role
from ai_agents.db.detached import columns_of, select_one, update_changed
from ai_agents.db.models import Alert, Conversation, Message, Note, OutboxMessage
from ai_agents.db.session import session_scope
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.inbound.turn import MANUAL_STOP, Reply, Turn
from ai_agents.services.inbound.turn_loader import next_turn
from ai_agents.services.outbound.outbox import queue_in_conversation

log = get_logger("pipeline")
# Built once with parameters (building a statement costs more than running it): the conversation
# read again under its lock, and the message's outcome, only if it still waits (a Core statement).
LOCKED_CONVERSATION = (
    select(Conversation.__table__).where(Conversation.id == bindparam("conversation_id")).with_for_update()
)
MARK_HANDLED = (
    update(Message)
    .where(Message.id == bindparam("message_id"), Message.status == MessageStatus.RECEIVED)
    .values(language=bindparam("language"), translation=bindparam("translation"),
            sentiment=bindparam("sentiment"), status=bindparam("status"), error=bindparam("error"))
)



@dataclass
class Outcome:
    """What storing a turn did: `stored` is False when the turn must run again (its decision
    was based on a state a person changed meanwhile); the ids of the alerts it raised."""

    stored: bool
    alert_ids: list[int] = field(default_factory=list)
    queued: bool = False
    next_turn: Turn | None = None  # the conversation's next unhandled message, read in the same transaction
    handed: OutboxMessage | None = None  # the reply's row, written leased with the reservation: send it
    suggested: bool = False  # taken over while the stages ran: the reply was kept as a suggestion


def store_outcomes(ctx: AppContext, jobs: list[tuple[Turn, Any]]) -> list[Outcome]:
    """Store the turns (each with its `reservation` or None) in one transaction, one outcome each,
    in order. Conversations are locked in id order (PostgreSQL: two batches never wait on each
    other in a cycle)."""
    outcomes: list = [None] * len(jobs)
    with session_scope(ctx.engine) as session:
        for index in sorted(range(len(jobs)), key=lambda i: jobs[i][0].conversation.id):
            outcomes[index] = store_outcome(session, ctx, *jobs[index])
    for (turn, _), outcome in zip(jobs, outcomes, strict=True):
        if outcome.suggested:
            log.info("👤 [AgentHandler] Conversation %s was taken over during the reply; kept as a suggestion",
                     turn.conversation.id)
    return outcomes


def store_outcome(session: Session, ctx: AppContext, turn: Turn, reservation: Any = None) -> Outcome:
    """Store the turn in the session's transaction: message state, the conversation fields the
    stages set, replies (queued, or kept as suggestions when a person took over meanwhile), alerts,
    notes.

    The conversation is read again here, locked: a takeover, release or opt-out made while the
    stages ran stands, and only the fields the stages changed are written. With a `reservation`
    (services.ports.DirectSend) a single reply's row is written leased, to be handed over.

    The next unhandled message of the conversation is read in the same transaction."""
    now = ctx.clock.now()
    # Read and written back as Core statements (a detached object): the unit of work's flush of
    # the conversation cost a quarter of the outcome.
    conversation = select_one(session, Conversation, LOCKED_CONVERSATION, {"conversation_id": turn.conversation.id})
    before = columns_of(conversation)
    if turn.stop_reason == MANUAL_STOP and not conversation.manual_mode:
        log.info("🤖 [AgentHandler] Conversation %s was released meanwhile; the AI handles the message", conversation.id)
        return Outcome(stored=False)
    taken_over = conversation.manual_mode  # by a person while the stages ran: the AI stays silent
    message = turn.message
    # One UPDATE, only if the message still waits (a turn read twice never replies twice).
    handled = session.connection().execute(MARK_HANDLED, {
        "message_id": message.id, "language": message.language, "translation": message.translation,
        "sentiment": message.sentiment, "error": turn.failure,
        "status": MessageStatus.FAILED if turn.failure else MessageStatus.HANDLED,
    })
    if handled.rowcount == 0:
        log.warning("⚠️  [AgentHandler] Message %s was handled already; this turn is dropped", message.id)
        return Outcome(stored=True)
    changes = dict(turn.changes)
    if taken_over:
        changes.pop("manual_reason", None)  # an escalation keeps the person's own reason
    for column, value in changes.items():
        setattr(conversation, column, value)
    if turn.failure:
        conversation.last_error = turn.failure
        session.add(failure_alert(conversation, message.id, turn.failure, now))
    session.add_all(turn.alerts)
    for note in turn.notes:
        session.add(Note(conversation_id=conversation.id, author="system", text=note, created_at=now))
    handed = None
    for item in turn.replies:
        if taken_over:
            session.add(suggestion(conversation, item, now))
            continue
        _, row = queue_in_conversation(
            session, ctx, conversation, role=role_of(item), kind=item.kind, text=item.text,
            translation=item.translation,  # once per message: the status check above, under the lock
            lease=reservation if len(turn.replies) == 1 else None,
        )
        if reservation is not None and row is not None and row.lease_owner == reservation.owner:
            handed = row
    update_changed(session, conversation, before)
    if session.new:  # alerts, notes, suggestions
        session.flush()
    alert_ids = [alert.id for alert in turn.alerts]
    following, _ = next_turn(session, conversation.id, ctx.settings.history_messages, conversation)
    queued = bool(turn.replies) and not taken_over
    return Outcome(stored=True, alert_ids=alert_ids, queued=queued, next_turn=following, handed=handed,
                   suggested=taken_over and bool(turn.replies))


def store_failure(ctx: AppContext, turn: Turn, reason: str) -> None:
    """Mark the message failed with an alert, and nothing else (when storing the turn failed)."""
    with session_scope(ctx.engine) as session:
        message = session.get(Message, turn.message.id)
        conversation = session.get(Conversation, turn.conversation.id)
        message.status, message.error = MessageStatus.FAILED, reason
        conversation.last_error = reason
        session.add(failure_alert(conversation, message.id, reason, ctx.clock.now()))


def failure_alert(conversation: Conversation, message_id: int, reason: str, now) -> Alert:
    return Alert(
        kind=AlertKind.LLM_FAILURE, severity="critical", agent_id=conversation.agent_id,
        conversation_id=conversation.id, message_id=message_id,
        text=f"No AI reply to a customer message: {reason}", created_at=now,
    )


def role_of(item: Reply) -> str:
    return Role.ASSISTANT if item.kind == "reply" else Role.SYSTEM


def suggestion(conversation: Conversation, item: Reply, now) -> Message:
    """The reply kept for the manager of a taken-over conversation; no outbox row."""
    return Message(
        conversation_id=conversation.id, integration_id=conversation.integration_id, role=role_of(item),
        kind=item.kind, text=item.text, translation=item.translation, language=conversation.language,
        status=MessageStatus.SUGGESTED, created_at=now,
    )
