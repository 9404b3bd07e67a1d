"""Translation of chat messages with the agent's own LLM and a strict translation prompt."""

from __future__ import annotations

from ai_agents.db.models import Agent
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.llm_access import llm_access
from ai_agents.services.ports import ChatModel, ChatRequest, LLMError, complete_within_deadline

log = get_logger("translation")

LANGUAGE_NAMES = {
    "en": "English",
    "es": "Spanish",
    "pt": "Portuguese",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
    "tr": "Turkish",
    "id": "Indonesian",
    "vi": "Vietnamese",
    "ru": "Russian",
    "uk": "Ukrainian",
    "ar": "Arabic",
    "fa": "Persian",
    "he": "Hebrew",
    "el": "Greek",
    "hi": "Hindi",
    "th": "Thai",
    "ko": "Korean",
    "ja": "Japanese",
    "zh": "Chinese",
}

TRANSLATION_PROMPT = (
    "You are a translation engine inside a customer-service chat. Translate the user's message "
    "from {source} to {target}. Reply with the translation only: no quotes, no notes, no "
    "explanations. Keep names, numbers, prices, order numbers, URLs, emoji and line breaks as they "
    "are. Keep the tone and formality. If the message is already in {target}, return it unchanged."
)


class TranslationError(Exception):
    """The translation could not be made; callers keep the original text."""


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


async def translate(
    llm: ChatModel,
    *,
    text: str,
    source: str,
    target: str,
    model: str,
    api_key: str,
    base_url: str | None,
    timeout: float = 30.0,
) -> str:
    """The text in the target language, or TranslationError (also when `timeout`, the total
    deadline of the call, passes)."""
    system = TRANSLATION_PROMPT.format(source=language_name(source), target=language_name(target))
    request = ChatRequest(
        model=model,
        messages=[{"role": "system", "content": system}, {"role": "user", "content": text}],
        api_key=api_key,
        base_url=base_url,
        temperature=0,
        timeout=timeout,
    )
    try:
        return await complete_within_deadline(llm, request)
    except LLMError as exc:
        raise TranslationError(str(exc)) from exc


async def translate_for_agent(ctx: AppContext, agent: Agent, text: str, source: str, target: str) -> str | None:
    """The text translated with the agent's model, or None (with a warning) when that fails."""
    api_key, base_url = llm_access(ctx, agent)
    if api_key is None:
        return None
    try:
        return await translate(
            ctx.llm,
            text=text,
            source=source,
            target=target,
            model=agent.model,
            api_key=api_key,
            base_url=base_url,
            timeout=ctx.settings.llm_timeout_seconds,
        )
    except TranslationError as exc:
        log.warning("⚠️  [AgentService] Translation from %s to %s failed, keeping the original: %s", source, target, exc)
        return None
