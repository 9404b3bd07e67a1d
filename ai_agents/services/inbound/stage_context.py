"""What a pipeline stage may use besides its turn: settings, the clock, the LLM and translation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ai_agents.config import Settings
from ai_agents.db.models import Agent
from ai_agents.logs import get_logger
from ai_agents.services.inbound.turn import Reply, Turn
from ai_agents.services.ports import ChatRequest, Clock

log = get_logger("pipeline")


@dataclass(frozen=True)
class StageContext:
    """The narrow view of the platform a stage gets (never the pipeline itself)."""

    settings: Settings
    clock: Clock
    # One LLM call in an LLM slot, within its total deadline (LLMError otherwise).
    complete: Callable[[ChatRequest], Awaitable[str]]
    # (agent, text, source, target): the text translated with the agent's model, or None.
    translate: Callable[[Agent, str, str, str], Awaitable[str | None]]
    # The agent's (API key, base URL), and why there is no key when the key is None.
    llm_access: Callable[[Agent], tuple[str | None, str | None]]
    missing_key_reason: Callable[[Agent], str]
    sleep: Callable[[float], Awaitable[object]]

    async def outgoing(self, turn: Turn, kind: str, text: str) -> Reply:
        """A reply in the customer's language when outgoing translation is on."""
        translation = turn.settings.translation
        source, target = translation.source_language, turn.conversation.language
        if not (translation.enabled and translation.translate_outgoing and target and target != source):
            return Reply(kind, text)
        translated = await self.translate(turn.agent, text, source, target)
        if translated is None:
            return Reply(kind, text)
        if kind == "reply":
            log.info("🔄 [AgentService] Translated outgoing response from %s to %s", source, target)
        return Reply(kind, translated, translation=text)
