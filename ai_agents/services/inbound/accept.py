"""Stages 1-3, accept: messages that arrive together are stored together, in one transaction
(the pipeline hands them over through a db.group_commit.GroupCommit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import bindparam, func, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from ai_agents.core.types import MessageStatus, Role
from ai_agents.db.detached import insert_row
from ai_agents.db.models import Conversation, Message
from ai_agents.db.session import session_scope
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.inbound.routing import conversation_for, route
from ai_agents.services.inbound.turn import Turn
from ai_agents.services.inbound.turn_loader import oldest_waiting, turn_for
from ai_agents.services.ports import InboundMessage

log = get_logger("pipeline")
# Built once (building a statement costs more than running it); run as Core: no ORM work (the
# unit of work's flush of one insert and one update cost a third of the accept).
ALREADY_STORED = select(Message.id).where(
    Message.integration_id == bindparam("integration_id"), Message.external_id == bindparam("external_id")
).limit(1)
# The customer wrote: follow-ups start again from this message; a sender name updates the contact's.
ARRIVED = (
    update(Conversation)
    .where(Conversation.id == bindparam("conversation_id"))
    .values(last_message_at=bindparam("now"), last_customer_message_at=bindparam("now"), follow_ups_sent=0,
            follow_up_state=None, contact_name=func.coalesce(bindparam("contact_name"), Conversation.contact_name))
)


@dataclass(frozen=True)
class Accepted:
    """A message stored: its conversation, and its turn when it was read with it (see store)."""

    conversation_id: int
    message_id: int
    remote_id: str
    turn: Turn | None


def store(ctx: AppContext, inbounds: list[InboundMessage], idle: Callable[[int], bool]) -> list[Accepted | None]:
    """Store the messages in one transaction, in order (None: no integration, or stored before).
    A message to an idle conversation (`idle`) with nothing older waiting has its turn read too."""
    with session_scope(ctx.engine) as session:
        return [_store_one(ctx, session, inbound, idle) for inbound in inbounds]


def _store_one(ctx: AppContext, session: Session, inbound: InboundMessage, idle) -> Accepted | None:
    now = ctx.clock.now()
    integration = route(session, inbound)
    if integration is None:
        log.warning("⚠️  [AgentHandler] No integration for message %s; dropped", inbound.external_id)
        return None
    seen = {"integration_id": integration.id, "external_id": inbound.external_id}
    if session.connection().execute(ALREADY_STORED, seen).first():
        log.debug("Duplicate delivery of %s ignored", inbound.external_id)
        return None
    conversation = conversation_for(session, integration, inbound, now)
    message = insert_row(
        session, Message, conversation_id=conversation.id, integration_id=integration.id, role=Role.USER,
        kind="chat", text=inbound.text, language=conversation.language, external_id=inbound.external_id,
        status=MessageStatus.RECEIVED, created_at=now,
    )
    arrived = {"last_message_at": now, "last_customer_message_at": now, "follow_ups_sent": 0,
               "follow_up_state": None, "contact_name": inbound.sender_name or conversation.contact_name}
    session.connection().execute(ARRIVED, {"conversation_id": conversation.id, "now": now, "contact_name": inbound.sender_name})
    for column, value in arrived.items():  # the loaded conversation as stored now, not left to flush
        set_committed_value(conversation, column, value)
    turn = None
    if idle(conversation.id) and oldest_waiting(session, conversation.id) == message.id:
        turn = turn_for(session, conversation, message, ctx.settings.history_messages)
    return Accepted(conversation.id, message.id, inbound.remote_id, turn)
