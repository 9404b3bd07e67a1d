"""Pipeline stages for agent behaviours: language and translation, sentiment, working hours."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from ai_agents.core import working_hours
from ai_agents.core.types import AlertKind, Role
from ai_agents.db.models import Alert
from ai_agents.logs import get_logger
from ai_agents.services.agent_settings import schedule_of
from ai_agents.services.language import conversation_language
from ai_agents.services.sentiment import assess
from ai_agents.services.turn import Turn

if TYPE_CHECKING:
    from ai_agents.services.pipeline import Pipeline

log = get_logger("behaviours")


async def detect_language_and_translate(pipeline: Pipeline, turn: Turn) -> None:
    """Stage: the customer's language (sticky per conversation) and the incoming translation."""
    settings = turn.settings.translation
    if not settings.enabled:
        return
    message, conversation = turn.message, turn.conversation
    agent_language = settings.source_language
    if settings.auto_detect:
        # lingua is CPU work (and its first use loads models): keep it off the event loop.
        language = await asyncio.to_thread(conversation_language, message.text, conversation.language)
        if language:
            log.info("🌐 [AgentService] Detected language: %s", language)
            turn.change(language=language)
    message.language = conversation.language or agent_language
    if settings.translate_incoming and message.language != agent_language:
        translated = await pipeline.translate(turn, message.text, message.language, agent_language)
        if translated is not None:
            message.translation = translated
            log.info("🔄 [AgentService] Translated incoming message from %s to %s", message.language, agent_language)


async def score_sentiment(pipeline: Pipeline, turn: Turn) -> None:
    """Stage: score the message (in English), alert when negative, escalate when very negative."""
    settings = turn.settings.sentiment
    if not settings.enabled:
        return
    message = turn.message
    text = message.translation or message.text
    if (message.language or "en") != "en" and message.translation is None:
        log.info("📊 [AgentService] Sentiment skipped: message in %s without an English translation", message.language)
        return
    recent = [m.sentiment for m in turn.history if m.role == Role.USER and m.id != message.id and m.sentiment is not None]
    verdict = await asyncio.to_thread(
        assess, text, negative_threshold=settings.negative_threshold,
        very_negative_threshold=settings.very_negative_threshold,
        extra_keywords=tuple(settings.escalation_keywords), recent_scores=recent[-3:],
    )  # fmt: skip
    message.sentiment = verdict.score
    log.info("📊 [AgentService] Sentiment for user message: %.2f", verdict.score)
    now = pipeline.ctx.clock.now()
    if verdict.negative and settings.alert_on_negative:
        log.warning("⚠️  [AgentService] Negative sentiment detected (conversation %s)", turn.conversation.id)
        turn.alerts.append(_alert(turn, AlertKind.NEGATIVE_SENTIMENT, "warning", f"Negative message ({verdict.score:.2f}): {text[:200]}", now))
    if not verdict.very_negative:
        return
    log.warning("🚨 [AgentService] Very negative sentiment detected, consider escalating to human")
    turn.alerts.append(_alert(turn, AlertKind.ESCALATION, "critical", f"{verdict.reason}: {text[:200]}", now))
    if settings.escalate_on_very_negative:
        turn.change(manual_mode=True, escalated=True, manual_reason=f"escalated automatically: {verdict.reason}")
        turn.notes.append(f"Escalated to a human automatically: {verdict.reason}")
        turn.stop_reason = "escalated to a human"


async def check_working_hours(pipeline: Pipeline, turn: Turn) -> None:
    """Stage: outside working hours the away message goes out, once per closed period."""
    settings = turn.settings.working_hours
    if not settings.enabled:
        return
    schedule = schedule_of(turn.settings)
    now = pipeline.ctx.clock.now()
    if working_hours.is_open(schedule, now):
        log.info("✅ [AgentService] Message processed during working hours")
        return
    turn.stop_reason = "outside working hours"
    period = working_hours.closed_period_key(schedule, now)
    if turn.conversation.away_period_key == period:
        log.info("⏰ [AgentService] Outside working hours; away message already sent for this period")
        return
    log.info("⏰ [AgentService] Outside working hours, sending away message")
    turn.change(away_period_key=period)
    text = working_hours.render_away_message(settings.away_message, schedule, now)
    turn.replies.append(await pipeline.outgoing(turn, "away", text))


def _alert(turn: Turn, kind: AlertKind, severity: str, text: str, now) -> Alert:
    return Alert(kind=kind, severity=severity, agent_id=turn.agent.id, conversation_id=turn.conversation.id,
                 message_id=turn.message.id, integration_id=turn.conversation.integration_id, text=text,
                 created_at=now)  # fmt: skip


async def handle_opt_out(pipeline: Pipeline, turn: Turn) -> None:
    """Stage: an opt-out word (STOP, стоп, baja ... configurable) ends broadcasts and follow-ups;
    an opt-in word (START ...) brings them back."""
    settings = turn.settings.broadcasts
    word = turn.message.text.strip().lower().strip(".!¡ ")
    conversation = turn.conversation
    if word in {w.lower() for w in settings.opt_out_keywords} and not conversation.opted_out:
        turn.change(opted_out=True)
        log.info("🚫 Conversation %s opted out of broadcasts and follow-ups", conversation.id)
        turn.replies.append(await pipeline.outgoing(turn, "opt_out", settings.opt_out_reply))
        turn.stop_reason = "opted out"
    elif word in {w.lower() for w in settings.opt_in_keywords} and conversation.opted_out:
        turn.change(opted_out=False)
        log.info("✅ Conversation %s opted in again", conversation.id)
