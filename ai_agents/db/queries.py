"""Queries more than one service uses: load a row by id (or NotFound naming it), delete integrations, real traffic."""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, select

from ai_agents.core.errors import NotFound
from ai_agents.core.types import PLAYGROUND_CHANNEL
from ai_agents.db.models import Agent, Conversation, Integration, OutboxMessage


def load_agent(session: Session, agent_id: int) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise NotFound(f"agent {agent_id} does not exist", code="AGENT_NOT_FOUND")
    return agent


def load_integration(session: Session, integration_id: int) -> Integration:
    row = session.get(Integration, integration_id)
    if row is None:
        raise NotFound(f"integration {integration_id} does not exist", code="INTEGRATION_NOT_FOUND")
    return row


def load_conversation(session: Session, conversation_id: int) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(f"conversation {conversation_id} does not exist", code="CONVERSATION_NOT_FOUND")
    return conversation


def delete_integrations(session: Session, integration_ids: list[int]) -> None:
    """Delete integrations with everything of theirs. Their outbox rows go first: a sender holds
    an outbox row and then needs the integration's key lock, so taking the integration first would
    make a lock cycle (a deadlock on PostgreSQL) with a send being recorded."""
    if not integration_ids:
        return
    session.exec(delete(OutboxMessage).where(OutboxMessage.integration_id.in_(integration_ids)))
    session.exec(delete(Integration).where(Integration.id.in_(integration_ids)))


def customer_traffic(message_integration_id):
    """Messages of real customers: not those typed into an agent's try box (the playground channel),
    which no counter or chart of the business counts."""
    playground = select(Integration.id).where(Integration.channel == PLAYGROUND_CHANNEL)
    return message_integration_id.not_in(playground)
