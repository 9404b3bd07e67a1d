"""Stages that end a turn before any work: an inactive agent, a conversation in manual mode."""

from __future__ import annotations

from ai_agents.logs import get_logger
from ai_agents.services.inbound.stage_context import StageContext
from ai_agents.services.inbound.turn import MANUAL_STOP, Turn

log = get_logger("pipeline")


async def skip_inactive_agent(tools: StageContext, turn: Turn) -> None:
    if not turn.agent.is_active:
        turn.stop_reason = "agent inactive"
        log.info("⏸️  [AgentHandler] Agent %s is inactive; no reply", turn.agent.name)


async def stop_in_manual_mode(tools: StageContext, turn: Turn) -> None:
    if turn.conversation.manual_mode:
        turn.stop_reason = MANUAL_STOP
        log.info("👤 [AgentHandler] Conversation %s is in manual mode; the AI stays silent", turn.conversation.id)
