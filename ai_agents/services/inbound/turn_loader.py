"""What a turn needs, read in the transaction that is writing anyway (accept or outcome)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlmodel import Session, select

from ai_agents.core.types import MessageStatus
from ai_agents.db.models import WAITING_CONDITION, Agent, Conversation, Message
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


def _waiting(conversation_id):
    """A conversation's customer messages not handled yet: through ix_messages_waiting (the
    condition as literals), not a walk through the conversation's whole history."""
    return (Message.conversation_id == conversation_id, text(WAITING_CONDITION))


# Statements of the hot path, built once with parameters: building one costs more than running it.
OLDEST_WAITING = select(Message.id).where(*_waiting(bindparam("conversation_id"))).order_by(Message.id).limit(1)
WAITING = select(Message.id).where(*_waiting(bindparam("conversation_id"))).order_by(Message.id).limit(2)
AGENT = select(Agent.__table__).where(Agent.id == bindparam("agent_id"))
EARLIER = (
    select(Message.id, Message.role, Message.text, Message.translation, Message.sentiment)
    .where(Message.conversation_id == bindparam("conversation_id"), Message.id < bindparam("message_id"),
           Message.status.not_in(SUGGESTION_STATES))
    .order_by(Message.id.desc())
    .limit(bindparam("limit"))
)


def oldest_waiting(session: Session, conversation_id: int) -> int | None:
    """The id of the oldest unhandled customer message of the conversation."""
    return session.connection().execute(OLDEST_WAITING, {"conversation_id": conversation_id}).scalar()


def waiting_messages(session: Session, conversation_id: int) -> list[int]:
    """The ids of the two oldest unhandled customer messages of the conversation, oldest first (a
    Core statement: usually none waits, and no ORM object is built for nothing)."""
    return list(session.connection().execute(WAITING, {"conversation_id": conversation_id}).scalars())


def turn_for(session: Session, conversation: Conversation, message: Message, history_messages: int) -> Turn:
    """The turn of `message`: its conversation, agent and settings, and the history up to it (the
    message itself last, as the same object the stages annotate)."""
    # Read-only rows as Core statements (the stages only read them): no ORM objects to build.
    connection = session.connection()
    agent = connection.execute(AGENT, {"agent_id": conversation.agent_id}).one()
    limit = max(0, history_messages - 1)
    earlier = connection.execute(EARLIER, {"conversation_id": conversation.id, "message_id": message.id, "limit": limit})
    history = [Earlier(*row) for row in reversed(earlier.all())]
    return Turn(conversation=conversation, message=message, agent=agent, settings=settings_of(agent.settings),
                history=[*history, message])


def next_turn(session: Session, conversation_id: int, history_messages: int,
              conversation: Conversation | None = None) -> tuple[Turn | None, bool]:
    """The turn of the oldest unhandled customer message, and whether another waits behind it
    (`conversation`: as it stands in this transaction, when the caller has it)."""
    waiting = waiting_messages(session, conversation_id)
    if not waiting:
        return None, False
    conversation = conversation or session.get(Conversation, conversation_id)
    message = session.get(Message, waiting[0])
    return turn_for(session, conversation, message, history_messages), len(waiting) > 1
