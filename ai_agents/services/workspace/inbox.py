"""The live chat inbox: conversations with their last message and unanswered count, filtered."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_
from sqlmodel import select

from ai_agents.core.types import Role
from ai_agents.db.models import Agent, Conversation, Message
from ai_agents.db.session import read_scope
from ai_agents.services.context import AppContext
from ai_agents.services.workspace.conversations import conversation_view

STATES = ("all", "ai", "taken_over", "escalated")  # what the state filter accepts
SEARCH_MAX = 200


def inbox(
    ctx: AppContext,
    *,
    agent_id: int | None = None,
    channel: str | None = None,
    state: str = "all",
    search: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """A page of conversations, newest activity first, each with `last_message` (text) and
    `unread` (customer messages since the last answer); and the total matching."""
    filters = []
    if agent_id is not None:
        filters.append(Conversation.agent_id == agent_id)
    if channel:
        filters.append(Conversation.channel == channel)
    if state == "ai":
        filters.append(~Conversation.manual_mode)
    elif state == "taken_over":
        filters.append(Conversation.manual_mode)
    elif state == "escalated":
        filters.append(Conversation.escalated)
    needle = search.strip()[:SEARCH_MAX]
    if needle:
        pattern = "%" + needle.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        filters.append(or_(*(func.lower(column).like(pattern, escape="\\") for column in (
            Conversation.contact_name, Conversation.contact_username, Conversation.remote_id))))
    last_text = (
        select(Message.text).where(Message.conversation_id == Conversation.id)
        .order_by(Message.id.desc()).limit(1).correlate(Conversation).scalar_subquery()
    )
    answered = func.coalesce(Conversation.last_agent_message_at, Conversation.created_at)
    unread = (
        select(func.count(Message.id))
        .where(Message.conversation_id == Conversation.id, Message.role == Role.USER, Message.created_at > answered)
        .correlate(Conversation).scalar_subquery()
    )
    with read_scope(ctx.engine) as session:
        total = session.exec(select(func.count(Conversation.id)).where(*filters)).one()
        rows = session.exec(
            select(Conversation, Agent.name, last_text, unread)
            .join(Agent, Agent.id == Conversation.agent_id)
            .where(*filters)
            .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
            .offset(offset)
            .limit(limit)
        ).all()
    return [
        {**conversation_view(c, name), "last_message": text or "", "unread": int(count or 0)}
        for c, name, text, count in rows
    ], total
