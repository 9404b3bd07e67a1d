"""Stage: opt-out words end broadcasts and follow-ups for the conversation; opt-in words restore them."""

from __future__ import annotations

from ai_agents.logs import get_logger
from ai_agents.services.inbound.stage_context import StageContext
from ai_agents.services.inbound.turn import Turn

log = get_logger("behaviours")


async def handle_opt_out(tools: StageContext, turn: Turn) -> None:
    """Stage: an opt-out word (STOP, стоп, baja ... configurable) ends broadcasts and follow-ups;
    an opt-in word (START ...) brings them back."""
    settings = turn.settings.broadcasts
    word = turn.message.text.strip().lower().strip(".!¡ ")
    conversation = turn.conversation
    if word in {w.lower() for w in settings.opt_out_keywords} and not conversation.opted_out:
        turn.change(opted_out=True)
        log.info("🚫 Conversation %s opted out of broadcasts and follow-ups", conversation.id)
        turn.replies.append(await tools.outgoing(turn, "opt_out", settings.opt_out_reply))
        turn.stop_reason = "opted out"
    elif word in {w.lower() for w in settings.opt_in_keywords} and conversation.opted_out:
        turn.change(opted_out=False)
        log.info("✅ Conversation %s opted in again", conversation.id)
