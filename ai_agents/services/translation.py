"""Translation of chat messages with the agent's own LLM and a strict translation prompt."""

from __future__ import annotations

from ai_agents.db.models import Agent
from ai_agents.llm import ChatModel, ChatRequest, LLMError, complete_within_deadline
from ai_agents.logs import get_logger
from ai_agents.services.agents import default_key_applies
from ai_agents.services.context import AppContext

log = get_logger("translation")

LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "pt": "Portuguese", "fr": "French", "de": "German",
    "it": "Italian", "nl": "Dutch", "pl": "Polish", "tr": "Turkish", "id": "Indonesian",
    "vi": "Vietnamese", "ru": "Russian", "uk": "Ukrainian", "ar": "Arabic", "fa": "Persian",
    "he": "Hebrew", "el": "Greek", "hi": "Hindi", "th": "Thai", "ko": "Korean",
    "ja": "Japanese", "zh": "Chinese",
}  # fmt: skip

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
    llm: ChatModel, *, text: str, source: str, target: str, model: str, api_key: str,
    base_url: str | None, timeout: float = 30.0,
) -> str:  # fmt: skip
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


def llm_access(ctx: AppContext, agent: Agent) -> tuple[str | None, str | None]:
    """The agent's (API key, base URL). OPENAI_API_KEY stands in for an agent without a key only
    on the default endpoint (OPENAI_BASE_URL, or OpenAI's): never on a host the agent names. An
    unreadable key (SECRET_KEY changed) gives None: it must be entered again."""
    key, _readable = ctx.box.readable(agent.api_key_encrypted)
    if agent.api_key_encrypted is None and default_key_applies(ctx.settings, agent.base_url):
        key = ctx.settings.openai_api_key
    return key or None, agent.base_url or ctx.settings.openai_base_url or None


def missing_key_reason(ctx: AppContext, agent: Agent) -> str:
    """Why `llm_access` found no key for the agent, in words a person can act on."""
    if agent.api_key_encrypted is not None:
        return "the agent's API key cannot be read (SECRET_KEY changed?): enter it again"
    if ctx.settings.openai_api_key:
        return (f"the agent has no API key, and OPENAI_API_KEY is only sent to the default endpoint, "
                f"not to {agent.base_url}: give the agent its own key")
    return "the agent has no API key and OPENAI_API_KEY is not set"


async def translate_for_agent(ctx: AppContext, agent: Agent, text: str, source: str, target: str) -> str | None:
    """The text translated with the agent's model, or None (with a warning) when that fails."""
    api_key, base_url = llm_access(ctx, agent)
    if api_key is None:
        return None
    try:
        return await translate(ctx.llm, text=text, source=source, target=target, model=agent.model,
                               api_key=api_key, base_url=base_url, timeout=ctx.settings.llm_timeout_seconds)  # fmt: skip
    except TranslationError as exc:
        log.warning("⚠️  [AgentService] Translation from %s to %s failed, keeping the original: %s", source, target, exc)
        return None
