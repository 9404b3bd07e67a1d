"""Stage: outside working hours the away message goes out, once per closed period."""

from __future__ import annotations

from ai_agents.core import working_hours
from ai_agents.logs import get_logger
from ai_agents.services.agent_settings import schedule_of
from ai_agents.services.inbound.stage_context import StageContext
from ai_agents.services.inbound.turn import Turn

log = get_logger("behaviours")


async def check_working_hours(tools: StageContext, turn: Turn) -> None:
    """Stage: outside working hours the away message goes out, once per closed period."""
    settings = turn.settings.working_hours
    if not settings.enabled:
        return
    schedule = schedule_of(turn.settings)
    now = tools.clock.now()
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
    turn.replies.append(await tools.outgoing(turn, "away", text))
