"""Stages 2 and 3 of the pipeline: which integration (and agent) a message is for, and its conversation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, bindparam
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ai_agents.db.detached import select_one, select_row
from ai_agents.db.models import Conversation, Integration
from ai_agents.logs import get_logger
from ai_agents.services.ports import InboundMessage

log = get_logger("pipeline")
# Built once with parameters: building a statement costs more than running it.
RECEIVING = select(Integration.id, Integration.agent_id, Integration.channel).where(
    Integration.id == bindparam("integration_id")
)
# Locked (PostgreSQL): the message's arrival is written on it, and the turn read with the message
# (accept.store) must see it as it is, not as a concurrent outcome found it.
CONVERSATION = select(Conversation.__table__).where(
    Conversation.integration_id == bindparam("integration_id"), Conversation.remote_id == bindparam("remote_id")
).with_for_update()


def route(session: Session, inbound: InboundMessage) -> Integration | Row | None:
    """Stage 2: the integration (and so the agent) a message belongs to. A linked device is found
    by its DeviceID first, then by its account's JID (a device linked again has a new DeviceID:
    it is remembered); otherwise the integration whose adapter received the message."""
    if inbound.device_id:
        log.info("🔍 [AgentHandler] Matching integration by DeviceID: %s", inbound.device_id)
        if (row := _one(session, Integration.device_id == inbound.device_id, inbound)) is not None:
            return row
    if inbound.jid:
        log.info("🔍 [AgentHandler] Matching integration by JID: %s", inbound.jid)
        if (row := _one(session, Integration.jid == inbound.jid, inbound)) is not None:
            if inbound.device_id:
                row.device_id = inbound.device_id
            return row
    # The receiving integration as a row of what routing needs (a Core statement, no ORM object).
    return session.connection().execute(RECEIVING, {"integration_id": inbound.integration_id}).first()


def _one(session: Session, condition, inbound: InboundMessage) -> Integration | None:
    """The integration matching `condition`: the receiving one if it matches, else the only match."""
    rows = session.exec(select(Integration).where(condition).limit(10)).all()
    for row in rows:
        if row.id == inbound.integration_id:
            return row
    return rows[0] if len(rows) == 1 else None


def conversation_for(
    session: Session, integration: Integration | Row, inbound: InboundMessage, now: datetime
) -> Conversation:
    """Stage 3: one conversation per (integration, remote chat), created on first contact. A
    conversation that exists is read as a detached object (a Core statement: no ORM loading)."""
    chat = {"integration_id": integration.id, "remote_id": inbound.remote_id}
    conversation = select_row(session, Conversation, CONVERSATION, chat)
    if conversation is not None:
        return conversation
    conversation = Conversation(
        agent_id=integration.agent_id,
        integration_id=integration.id,
        channel=integration.channel,
        remote_id=inbound.remote_id,
        contact_name=inbound.sender_name,
        contact_username=inbound.sender_username,
        created_at=now,
        last_message_at=now,
    )
    try:
        with session.begin_nested():
            session.add(conversation)
    except IntegrityError:  # created at the same moment by another writer
        return select_one(session, Conversation, CONVERSATION, chat)
    return conversation
