"""Pipeline stage: the agent's answer from its model, retried within a time budget."""

from __future__ import annotations

from ai_agents.core.retry import backoff_delay
from ai_agents.core.types import Role
from ai_agents.logs import get_logger
from ai_agents.services.inbound.stage_context import StageContext
from ai_agents.services.inbound.turn import Turn
from ai_agents.services.ports import ChatRequest, LLMError

log = get_logger("pipeline")

RETRY_CAP_SECONDS = 30  # the longest pause between two tries of one reply


def prompt_messages(turn: Turn) -> list[dict[str, str]]:
    """System prompt, then the conversation in the agent's language."""
    messages = [{"role": "system", "content": turn.agent.system_prompt}] if turn.agent.system_prompt else []
    for item in turn.history:  # the current message is turn.message itself (same session)
        role = "user" if item.role == Role.USER else "assistant"
        messages.append({"role": role, "content": item.translation or item.text})
    return messages


async def reply(tools: StageContext, turn: Turn) -> None:
    """Stage: the agent's answer, translated to the customer's language when that is on."""
    api_key, base_url = tools.llm_access(turn.agent)
    if api_key is None:
        turn.fail(tools.missing_key_reason(turn.agent))
        return
    request = ChatRequest(
        model=turn.agent.model,
        messages=prompt_messages(turn),
        api_key=api_key,
        base_url=base_url,
        temperature=turn.agent.temperature,
        timeout=tools.settings.llm_timeout_seconds,
    )
    text = await complete_with_retries(tools, turn, request)
    if text is not None:
        turn.replies.append(await tools.outgoing(turn, "reply", text))


async def complete_with_retries(tools: StageContext, turn: Turn, request: ChatRequest) -> str | None:
    """The model's answer. Temporary failures (timeouts, 429, 5xx) are retried with capped
    exponential backoff and jitter for up to LLM_RETRY_SECONDS, without holding an LLM slot
    while waiting; then, or at once for lasting ones, the turn fails (None)."""
    clock, settings = tools.clock, tools.settings
    started = clock.now()
    attempt = 0
    while True:
        attempt += 1
        try:
            return await tools.complete(request)
        except LLMError as exc:
            elapsed = (clock.now() - started).total_seconds()
            remaining = settings.llm_retry_seconds - elapsed
            if not exc.retryable or remaining <= 0:
                tries = f"after {attempt} attempt{'s' if attempt > 1 else ''} in {elapsed:.0f}s"
                turn.fail(f"{exc} ({tries})")
                return None
            backoff = backoff_delay(attempt, base=settings.retry_base_seconds, cap=RETRY_CAP_SECONDS)
            delay = min(remaining, max(exc.retry_after or 0, backoff))
            if attempt & (attempt - 1) == 0:  # tries 1, 2, 4, 8 ...: no flood during an outage
                log.warning(
                    "⚠️  [AgentHandler] LLM call failed (%s); retry %s in %.1fs, for up to %.0fs more",
                    exc, attempt, delay, remaining,
                )
            await tools.sleep(delay)
