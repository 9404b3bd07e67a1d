"""Stages 2 and 3 of the pipeline: which integration (and agent) a message is for, and its conversation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ai_agents.db.models import Conversation, Integration
from ai_agents.services.ports import InboundMessage


def route(session: Session, inbound: InboundMessage) -> Integration | None:
    """Stage 2: the integration (and so the agent) a message belongs to."""
    return session.get(Integration, inbound.integration_id)


def conversation_for(session: Session, integration: Integration, inbound: InboundMessage, now: datetime) -> Conversation:
    """Stage 3: one conversation per (integration, remote chat), created on first contact."""
    query = select(Conversation).where(
        Conversation.integration_id == integration.id, Conversation.remote_id == inbound.remote_id
    )
    # Locked (PostgreSQL): the message's arrival is written on it, and the turn read with the
    # message (pipeline._accept) must see it as it is, not as a concurrent outcome found it.
    conversation = session.exec(query.with_for_update()).first()
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
        return session.exec(query.with_for_update()).one()
    return conversation
