"""What a turn needs, read in the transaction that is writing anyway (accept or outcome)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from ai_agents.core.types import MessageStatus, Role
from ai_agents.db.models import Agent, Conversation, Message
from ai_agents.services.agent_settings import settings_of
from ai_agents.services.inbound.turn import Turn

# AI replies kept for a manager: never part of the history the model sees (a sent one is the
# manager's message).
SUGGESTION_STATES = (MessageStatus.SUGGESTED, MessageStatus.SUGGESTION_SENT, MessageStatus.DISCARDED)


@dataclass(frozen=True)
class Earlier:
    """An earlier message of the conversation, as the stages read it (read as plain columns:
    building ORM objects for the whole history cost more than the queries)."""

    id: int
    role: str
    text: str
    translation: str | None
    sentiment: float | None


def _waiting(conversation_id: int):
    return (Message.conversation_id == conversation_id, Message.role == Role.USER,
            Message.status == MessageStatus.RECEIVED)


def oldest_waiting(session: Session, conversation_id: int) -> int | None:
    """The id of the oldest unhandled customer message of the conversation."""
    query = select(Message.id).where(*_waiting(conversation_id)).order_by(Message.id).limit(1)
    return session.connection().execute(query).scalar()


def waiting_messages(session: Session, conversation_id: int, limit: int = 2) -> list[Message]:
    """The oldest unhandled customer messages of the conversation, oldest first."""
    return list(session.exec(select(Message).where(*_waiting(conversation_id)).order_by(Message.id).limit(limit)))


def turn_for(session: Session, conversation: Conversation, message: Message, history_messages: int) -> Turn:
    """The turn of `message`: its conversation, agent and settings, and the history up to it (the
    message itself last, as the same object the stages annotate)."""
    agent = session.get(Agent, conversation.agent_id)
    earlier = session.connection().execute(  # plain columns, as a Core statement: no ORM work
        select(Message.id, Message.role, Message.text, Message.translation, Message.sentiment)
        .where(Message.conversation_id == conversation.id, Message.id < message.id,
               Message.status.not_in(SUGGESTION_STATES))
        .order_by(Message.id.desc())
        .limit(max(0, history_messages - 1))
    ).all()
    history = [Earlier(*row) for row in reversed(earlier)]
    return Turn(conversation=conversation, message=message, agent=agent, settings=settings_of(agent.settings),
                history=[*history, message])


def next_turn(session: Session, conversation_id: int, history_messages: int) -> tuple[Turn | None, bool]:
    """The turn of the oldest unhandled customer message, and whether another waits behind it."""
    waiting = waiting_messages(session, conversation_id)
    if not waiting:
        return None, False
    conversation = session.get(Conversation, conversation_id)
    return turn_for(session, conversation, waiting[0], history_messages), len(waiting) > 1
