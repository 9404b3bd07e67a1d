"""Translation of chat messages with the agent's own LLM and a strict translation prompt."""

from __future__ import annotations

from ai_agents.llm import ChatModel, ChatRequest, LLMError

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
    """The text in the target language, or TranslationError."""
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
        return await llm.complete(request)
    except LLMError as exc:
        raise TranslationError(str(exc)) from exc
