"""Channels that let us write only within a while of the customer's last message: rows outside it fail."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlmodel import Session, select

from ai_agents.db.models import Conversation, OutboxMessage
from ai_agents.services.ports import MessagingWindow


def closed_windows(
    session: Session, rows: list[OutboxMessage], windows: dict[int, MessagingWindow], now: datetime
) -> dict[int, str]:
    """Rows (by id) whose recipient's messaging window is closed now, with the reason: the customer
    last wrote too long ago, or never wrote on this integration (a broadcast to a new number)."""
    by_integration: dict[int, list[OutboxMessage]] = defaultdict(list)
    for row in rows:
        if row.integration_id in windows:
            by_integration[row.integration_id].append(row)
    closed: dict[int, str] = {}
    for integration_id, group in by_integration.items():
        window = windows[integration_id]
        last_wrote = dict(
            session.exec(
                select(Conversation.remote_id, Conversation.last_customer_message_at).where(
                    Conversation.integration_id == integration_id,
                    Conversation.remote_id.in_({row.recipient for row in group}),
                )
            ).all()
        )
        for row in group:
            wrote = last_wrote.get(row.recipient)
            if wrote is None or now - wrote > timedelta(hours=window.hours):
                closed[row.id] = window_closed_reason(window, wrote)
    return closed


def window_closed_reason(window: MessagingWindow, last_customer_message: datetime | None) -> str:
    when = (f"the customer last wrote at {last_customer_message:%Y-%m-%d %H:%M} UTC"
            if last_customer_message else "the customer has never written to this account")
    return f"outside the {window.hours:g}-hour messaging window ({when}): {window.outside}"
