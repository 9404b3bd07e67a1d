"""Stage: the message's sentiment; alerts when negative, escalation when very negative."""

from __future__ import annotations

import asyncio
from datetime import datetime

from ai_agents.core.types import AlertKind, Role
from ai_agents.db.models import Alert
from ai_agents.logs import get_logger
from ai_agents.services.inbound.sentiment import assess
from ai_agents.services.inbound.stage_context import StageContext
from ai_agents.services.inbound.turn import Turn

log = get_logger("behaviours")


async def score_sentiment(tools: StageContext, turn: Turn) -> None:
    """Stage: score the message (in English), alert when negative, escalate when very negative."""
    settings = turn.settings.sentiment
    if not settings.enabled:
        return
    message = turn.message
    text = message.translation or message.text
    if (message.language or "en") != "en" and message.translation is None:
        log.info("📊 [AgentService] Sentiment skipped: message in %s without an English translation", message.language)
        return
    recent = [
        m.sentiment for m in turn.history if m.role == Role.USER and m.id != message.id and m.sentiment is not None
    ]
    verdict = await asyncio.to_thread(
        assess,
        text,
        negative_threshold=settings.negative_threshold,
        very_negative_threshold=settings.very_negative_threshold,
        extra_keywords=tuple(settings.escalation_keywords),
        recent_scores=recent[-3:],
    )
    message.sentiment = verdict.score
    log.info("📊 [AgentService] Sentiment for user message: %.2f", verdict.score)
    now = tools.clock.now()
    if verdict.negative and settings.alert_on_negative:
        log.warning("⚠️  [AgentService] Negative sentiment detected (conversation %s)", turn.conversation.id)
        text_of_alert = f"Negative message ({verdict.score:.2f}): {text[:200]}"
        turn.alerts.append(_alert(turn, AlertKind.NEGATIVE_SENTIMENT, "warning", text_of_alert, now))
    if not verdict.very_negative:
        return
    log.warning("🚨 [AgentService] Very negative sentiment detected, consider escalating to human")
    turn.alerts.append(_alert(turn, AlertKind.ESCALATION, "critical", f"{verdict.reason}: {text[:200]}", now))
    if settings.escalate_on_very_negative:
        turn.change(manual_mode=True, escalated=True, manual_reason=f"escalated automatically: {verdict.reason}")
        turn.notes.append(f"Escalated to a human automatically: {verdict.reason}")
        turn.stop_reason = "escalated to a human"


def _alert(turn: Turn, kind: AlertKind, severity: str, text: str, now: datetime) -> Alert:
    return Alert(
        kind=kind,
        severity=severity,
        agent_id=turn.agent.id,
        conversation_id=turn.conversation.id,
        message_id=turn.message.id,
        integration_id=turn.conversation.integration_id,
        text=text,
        created_at=now,
    )
