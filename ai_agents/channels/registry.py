"""The explicit list of channel adapters, by provider."""

from __future__ import annotations

from ai_agents.channels.base import AdapterFactory, WebhookReceiver
from ai_agents.channels.instagram import InstagramAdapter
from ai_agents.channels.playground import PlaygroundAdapter
from ai_agents.channels.telegram import TelegramAdapter
from ai_agents.channels.whatsapp_cloud import WhatsAppCloudAdapter
from ai_agents.channels.whatsapp_device import WhatsAppDeviceAdapter
from ai_agents.core.types import Provider

ADAPTERS: dict[str, AdapterFactory] = {
    Provider.TELEGRAM_BOT: TelegramAdapter,
    Provider.WHATSAPP_DEVICE: WhatsAppDeviceAdapter,
    Provider.WHATSAPP_CLOUD: WhatsAppCloudAdapter,
    Provider.INSTAGRAM: InstagramAdapter,
    Provider.PLAYGROUND: PlaygroundAdapter,
}
# Adapters whose events come by webhook, by the name in /api/webhooks/{name}.
WEBHOOK_RECEIVERS: dict[str, WebhookReceiver] = {
    WhatsAppCloudAdapter.webhook_name: WhatsAppCloudAdapter,
    InstagramAdapter.webhook_name: InstagramAdapter,
}


def adapter_class(provider: str) -> AdapterFactory:
    """The adapter class for a provider; KeyError names the providers that exist."""
    try:
        return ADAPTERS[provider]
    except KeyError:
        raise KeyError(f"no adapter for provider {provider!r}; known: {', '.join(ADAPTERS)}") from None


def webhook_receiver(name: str) -> WebhookReceiver | None:
    """The adapter class receiving /api/webhooks/{name}, or None."""
    return WEBHOOK_RECEIVERS.get(name)
