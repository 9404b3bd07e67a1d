"""Alerts for the team: list them (filtered, newest first) and acknowledge them, once."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import select

from ai_agents.core.errors import NotFound
from ai_agents.db.models import Alert, Conversation
from ai_agents.db.session import session_scope
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext

log = get_logger("alerts")


def alert_view(alert: Alert, contact: str | None = None) -> dict[str, Any]:
    return {
        "id": alert.id,
        "kind": alert.kind,
        "severity": alert.severity,
        "text": alert.text,
        "agent_id": alert.agent_id,
        "conversation_id": alert.conversation_id,
        "contact": contact,
        "message_id": alert.message_id,
        "integration_id": alert.integration_id,
        "acknowledged": alert.acknowledged_at is not None,
        "acknowledged_at": alert.acknowledged_at,
        "created_at": alert.created_at,
    }


def list_alerts(
    ctx: AppContext,
    *,
    kind: str | None = None,
    acknowledged: bool | None = None,
    agent_id: int | None = None,
    conversation_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Newest first, with the customer of the alert's conversation; and the total matching."""
    filters = []
    if kind is not None:
        filters.append(Alert.kind == kind)
    if acknowledged is not None:
        filters.append(Alert.acknowledged_at.is_not(None) if acknowledged else Alert.acknowledged_at.is_(None))
    if agent_id is not None:
        filters.append(Alert.agent_id == agent_id)
    if conversation_id is not None:
        filters.append(Alert.conversation_id == conversation_id)
    contact = func.coalesce(Conversation.contact_name, Conversation.contact_username, Conversation.remote_id)
    with session_scope(ctx.engine) as session:
        total = session.exec(select(func.count(Alert.id)).where(*filters)).one()
        rows = session.exec(
            select(Alert, contact)
            .join(Conversation, Conversation.id == Alert.conversation_id, isouter=True)
            .where(*filters)
            .order_by(Alert.id.desc())
            .offset(offset)
            .limit(limit)
        ).all()
        return [alert_view(alert, who) for alert, who in rows], total


def open_alert_count(ctx: AppContext) -> int:
    with session_scope(ctx.engine) as session:
        return session.exec(select(func.count(Alert.id)).where(Alert.acknowledged_at.is_(None))).one()


def acknowledge_alert(ctx: AppContext, alert_id: int) -> dict[str, Any]:
    """Mark the alert seen; acknowledging it again keeps the first time (idempotent)."""
    with session_scope(ctx.engine) as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise NotFound(f"alert {alert_id} does not exist", code="ALERT_NOT_FOUND")
        first = alert.acknowledged_at is None
        if first:
            alert.acknowledged_at = ctx.clock.now()
            session.flush()
        view = alert_view(alert)
    if first:
        log.info("👀 Alert %s acknowledged", alert_id)
        ctx.live.publish("alert", alert_id=alert_id, conversation_id=view["conversation_id"], acknowledged=True)
    return view
