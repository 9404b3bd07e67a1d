"""Stage: the customer's language (sticky per conversation) and the incoming translation."""

from __future__ import annotations

import asyncio

from ai_agents.logs import get_logger
from ai_agents.services.inbound.language import conversation_language
from ai_agents.services.inbound.stage_context import StageContext
from ai_agents.services.inbound.turn import Turn

log = get_logger("behaviours")


async def detect_language_and_translate(tools: StageContext, turn: Turn) -> None:
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
        translated = await tools.translate(turn.agent, message.text, message.language, agent_language)
        if translated is not None:
            message.translation = translated
            log.info("🔄 [AgentService] Translated incoming message from %s to %s", message.language, agent_language)
