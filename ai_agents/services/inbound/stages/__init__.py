"""The stages a stored customer message goes through, in order; each takes (StageContext, Turn)."""

from __future__ import annotations

from ai_agents.services.inbound.stages.gates import skip_inactive_agent, stop_in_manual_mode
from ai_agents.services.inbound.stages.language import detect_language_and_translate
from ai_agents.services.inbound.stages.opt_out import handle_opt_out
from ai_agents.services.inbound.stages.reply import reply
from ai_agents.services.inbound.stages.sentiment import score_sentiment
from ai_agents.services.inbound.stages.working_hours import check_working_hours

# Each stage may set turn.stop_reason to end the turn.
STAGES = [
    skip_inactive_agent,
    stop_in_manual_mode,
    handle_opt_out,
    detect_language_and_translate,
    score_sentiment,
    check_working_hours,
    reply,
]
