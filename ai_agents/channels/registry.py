"""The explicit list of channel adapters, by provider."""

from __future__ import annotations

from ai_agents.channels.base import AdapterFactory
from ai_agents.channels.telegram import TelegramAdapter
from ai_agents.channels.whatsapp_device import WhatsAppDeviceAdapter
from ai_agents.core.types import Provider

ADAPTERS: dict[str, AdapterFactory] = {
    Provider.TELEGRAM_BOT: TelegramAdapter,
    Provider.WHATSAPP_DEVICE: WhatsAppDeviceAdapter,
}


def adapter_class(provider: str) -> AdapterFactory:
    """The adapter class for a provider; KeyError names the providers that exist."""
    try:
        return ADAPTERS[provider]
    except KeyError:
        raise KeyError(f"no adapter for provider {provider!r}; known: {', '.join(ADAPTERS)}") from None
