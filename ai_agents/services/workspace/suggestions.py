"""AI suggestions in live chat: a reply kept for a manager, sent by them or discarded, once."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from sqlalchemy import update
from sqlmodel import Session

from ai_agents.core.errors import Conflict, NotFound
from ai_agents.core.types import MessageStatus, Role
from ai_agents.db.models import Message
from ai_agents.db.queries import load_conversation
from ai_agents.db.session import session_scope
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.outbound.outbox import queue_message
from ai_agents.services.validation import StrictInput
from ai_agents.services.workspace.conversations import message_view

log = get_logger("conversations")


class SuggestionSend(StrictInput):
    author: str = Field("manager", min_length=1, max_length=200, description="Who sends it")


def send_suggestion(ctx: AppContext, conversation_id: int, message_id: int, author: str = "manager") -> dict[str, Any]:
    """Send an AI suggestion (a reply kept when the conversation was taken over during it) to
    the customer as the manager's message, through the outbox; the suggestion is then used."""
    with session_scope(ctx.engine) as session:
        conversation = load_conversation(session, conversation_id)
        suggestion = _claim_suggestion(session, conversation_id, message_id, MessageStatus.SUGGESTION_SENT)
        message = queue_message(
            session, ctx, conversation, role=Role.MANAGER, kind="manager", text=suggestion.text,
            translation=suggestion.translation, author=author, key=f"suggestion:{message_id}",
        )
        view = message_view(message)
    if ctx.outbox_wakeup:
        ctx.outbox_wakeup()
    log.info("👤 AI suggestion %s sent by manager in conversation %s", message_id, conversation_id)
    ctx.live.publish("message", conversation_id=conversation_id, message_id=view["id"])
    return view


def discard_suggestion(ctx: AppContext, conversation_id: int, message_id: int) -> dict[str, Any]:
    """Drop an AI suggestion; it stays in the conversation, marked discarded."""
    with session_scope(ctx.engine) as session:
        load_conversation(session, conversation_id)
        suggestion = _claim_suggestion(session, conversation_id, message_id, MessageStatus.DISCARDED)
        view = message_view(suggestion)
    log.info("🗑️ AI suggestion %s discarded in conversation %s", message_id, conversation_id)
    ctx.live.publish("message", conversation_id=conversation_id, message_id=message_id)
    return view


def _claim_suggestion(session: Session, conversation_id: int, message_id: int, new_status: str) -> Message:
    """Move a pending suggestion to its final status, once: of two concurrent calls one wins and
    the other gets 409, so a suggestion is never sent twice."""
    message = session.get(Message, message_id)
    if message is None or message.conversation_id != conversation_id:
        raise NotFound(f"message {message_id} does not exist in conversation {conversation_id}", code="MESSAGE_NOT_FOUND")
    claimed = session.exec(
        update(Message)
        .where(Message.id == message_id, Message.status == MessageStatus.SUGGESTED)
        .values(status=new_status)
    ).rowcount
    if claimed != 1:
        raise Conflict(
            f"message {message_id} is not a pending AI suggestion (its status is '{message.status}'); "
            "only suggestions with status 'suggested' can be sent or discarded",
            code="NOT_A_PENDING_SUGGESTION",
        )
    session.refresh(message)
    return message
