"""The dashboard's counters: messages today, conversations, per channel and per agent."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from ai_agents.core.types import PLAYGROUND_CHANNEL, Role
from ai_agents.db.models import Agent, Conversation, Message
from ai_agents.db.queries import customer_traffic
from ai_agents.db.session import session_scope
from ai_agents.services.context import AppContext

ACTIVE_WINDOW = timedelta(hours=24)


def start_of_day(moment: datetime) -> datetime:
    """Midnight UTC of the moment's day."""
    return moment.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)


def dashboard_stats(ctx: AppContext) -> dict[str, Any]:
    """Counters shown on the dashboard and by GET /api/dashboard/stats (try-box chats left out)."""
    now = ctx.clock.now()
    today = start_of_day(now)
    with session_scope(ctx.engine) as session:
        messages_today = session.exec(
            select(func.count(Message.id)).where(Message.created_at >= today, customer_traffic(Message.integration_id))
        ).one()
        incoming_today = session.exec(
            select(func.count(Message.id)).where(
                Message.created_at >= today, Message.role == Role.USER, customer_traffic(Message.integration_id)
            )
        ).one()
        real = Conversation.channel != PLAYGROUND_CHANNEL
        conversations = session.exec(select(func.count(Conversation.id)).where(real)).one()
        active = session.exec(
            select(func.count(Conversation.id)).where(
                real, Conversation.last_message_at >= now - ACTIVE_WINDOW
            )
        ).one()
        manual = session.exec(
            select(func.count(Conversation.id)).where(real, Conversation.manual_mode)
        ).one()
        by_channel = session.exec(
            select(Conversation.channel, func.count(Conversation.id)).where(real).group_by(Conversation.channel)
        ).all()
        by_agent = session.exec(
            select(Agent.id, Agent.name, func.count(Conversation.id))
            .join(Conversation, (Conversation.agent_id == Agent.id) & real, isouter=True)
            .group_by(Agent.id, Agent.name)
            .order_by(Agent.id)
        ).all()
    return {
        "messages_today": messages_today,
        "incoming_messages_today": incoming_today,
        "conversations": conversations,
        "active_conversations": active,
        "manual_conversations": manual,
        "conversations_by_channel": {channel: count for channel, count in by_channel},
        "conversations_by_agent": [
            {"agent_id": agent_id, "name": name, "conversations": count}
            for agent_id, name, count in by_agent
        ],
        "generated_at": now,
    }
