"""Alerts sent out where the team looks: a webhook URL, and a Telegram chat through the agent's bot."""

from __future__ import annotations

import asyncio

import httpx
from sqlmodel import select

from ai_agents.core.retry import backoff_delay
from ai_agents.core.types import ChannelType
from ai_agents.db.models import Alert, Conversation, Integration
from ai_agents.db.session import run_db, session_scope
from ai_agents.logs import get_logger
from ai_agents.services.agent_settings import SentimentSettings
from ai_agents.services.context import AppContext
from ai_agents.services.outbound.outbox import enqueue

log = get_logger("alerts")
WEBHOOK_ATTEMPTS = 3


def alert_payload(alert: Alert) -> dict:
    return {
        "event": "alert",
        "id": alert.id,
        "kind": alert.kind,
        "severity": alert.severity,
        "text": alert.text,
        "agent_id": alert.agent_id,
        "conversation_id": alert.conversation_id,
        "created_at": alert.created_at.isoformat(),
    }


async def deliver_alerts(ctx: AppContext, alert_ids: list[int], settings: SentimentSettings) -> None:
    """Send each alert to the configured webhook and Telegram chat; failures are logged, never raised."""
    if not alert_ids or not (settings.alert_webhook_url or settings.alert_telegram_chat_id):
        return
    alerts = await run_db(ctx.engine, _load, ctx, alert_ids)
    if settings.alert_telegram_chat_id:
        await run_db(ctx.engine, _queue_telegram, ctx, alerts, settings.alert_telegram_chat_id)
    if settings.alert_webhook_url:
        # Making a client loads the CA certificates (a 30-100 ms stall of the event loop, measured
        # for the LLM's clients): in a worker thread, one client for the alerts delivered together.
        client = await asyncio.to_thread(httpx.AsyncClient, timeout=10)
        async with client:
            retry_base = ctx.settings.retry_base_seconds
            await asyncio.gather(*(_post(client, settings.alert_webhook_url, a, retry_base) for a in alerts))


def _load(ctx: AppContext, alert_ids: list[int]) -> list[Alert]:
    with session_scope(ctx.engine) as session:
        return list(session.exec(select(Alert).where(Alert.id.in_(alert_ids)).order_by(Alert.id)))


def _queue_telegram(ctx: AppContext, alerts: list[Alert], chat_id: str) -> None:
    """Through the outbox (durable, retried), with the conversation's bot or the agent's first bot."""
    with session_scope(ctx.engine) as session:
        for alert in alerts:
            conversation = session.get(Conversation, alert.conversation_id) if alert.conversation_id else None
            bot = session.exec(
                select(Integration)
                .where(Integration.agent_id == alert.agent_id, Integration.channel == ChannelType.TELEGRAM)
                .order_by(
                    (Integration.id == (conversation.integration_id if conversation else -1)).desc(),
                    Integration.id,
                )
            ).first()
            if bot is None:
                log.warning("⚠️  Alert %s not sent to Telegram: the agent has no Telegram bot", alert.id)
                continue
            who = f" ({conversation.contact_name or conversation.remote_id})" if conversation else ""
            enqueue(
                session,
                ctx,
                idempotency_key=f"alert:{alert.id}",
                integration_id=bot.id,
                recipient=chat_id,
                text=f"⚠️ {alert.kind.replace('_', ' ')}{who}: {alert.text}",
                kind="alert",
            )
    if ctx.outbox_wakeup:
        ctx.outbox_wakeup()


async def _post(client: httpx.AsyncClient, url: str, alert: Alert, retry_base: float) -> None:
    for attempt in range(1, WEBHOOK_ATTEMPTS + 1):
        try:
            response = await client.post(url, json=alert_payload(alert))
            if response.status_code < 500:
                if response.status_code >= 400:
                    log.warning("⚠️  Alert webhook refused alert %s: HTTP %s", alert.id, response.status_code)
                return
            reason = f"HTTP {response.status_code}"
        except httpx.HTTPError as exc:
            reason = type(exc).__name__
        if attempt < WEBHOOK_ATTEMPTS:
            await asyncio.sleep(backoff_delay(attempt, base=retry_base, cap=30))
    log.warning("⚠️  Alert webhook failed for alert %s after %s attempts: %s", alert.id, WEBHOOK_ATTEMPTS, reason)
