"""Per-integration and per-chat send rates: which outbox rows may go out right now."""

from __future__ import annotations

import time
from collections.abc import Callable

from ai_agents.core.rate_limit import TokenBucket
from ai_agents.core.types import Provider

# (messages a second per integration, per chat or None) when the integration sets no rate.
DEFAULT_RATES: dict[str, tuple[float, float | None]] = {
    Provider.TELEGRAM_BOT: (25.0, 1.0),  # Telegram: ~30/s per bot, 1/s per chat
    Provider.WHATSAPP_CLOUD: (80.0, None),  # Cloud API: 80/s per number
    Provider.INSTAGRAM: (100.0, None),
    Provider.WHATSAPP_DEVICE: (1.0, None),  # linked device: slow, to keep the number safe
}
MAX_CHAT_BUCKETS = 20_000
CHAT_BURST = 3  # a short burst in one chat is fine (a reply split in parts); the rate holds after it


class SendBudget:
    """Token buckets in this process; a row is claimed only when both of its buckets allow it."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._integrations: dict[int, TokenBucket] = {}
        self._chats: dict[tuple[int, str], TokenBucket] = {}

    def _integration_bucket(self, integration_id: int, provider: str, config: dict) -> TokenBucket:
        rate = float(config.get("rate_limit_per_second") or DEFAULT_RATES.get(provider, (10.0, None))[0])
        bucket = self._integrations.get(integration_id)
        if bucket is None or bucket.rate != rate:
            bucket = self._integrations[integration_id] = TokenBucket(rate=rate, burst=max(1.0, rate / 5), now=self._now)
        return bucket

    def _chat_bucket(self, integration_id: int, provider: str, config: dict, recipient: str) -> TokenBucket | None:
        per_chat = config.get("per_chat_rate_limit_per_second") or DEFAULT_RATES.get(provider, (0, None))[1]
        if per_chat is None:
            return None
        key = (integration_id, recipient)
        bucket = self._chats.get(key)
        if bucket is None or bucket.rate != per_chat:
            if len(self._chats) >= MAX_CHAT_BUCKETS:
                self._forget_idle_chats()
            bucket = self._chats[key] = TokenBucket(rate=per_chat, burst=CHAT_BURST, now=self._now)
        return bucket

    def _forget_idle_chats(self) -> None:
        for key in [k for k, b in self._chats.items() if b.available() >= b.burst]:
            del self._chats[key]

    def allow(self, integration_id: int, provider: str, config: dict, recipient: str) -> bool:
        """Take a token from the integration's and the chat's bucket, if both have one."""
        integration = self._integration_bucket(integration_id, provider, config)
        chat = self._chat_bucket(integration_id, provider, config, recipient)
        if integration.available() < 1 or (chat is not None and chat.available() < 1):
            return False
        integration.take()
        if chat is not None:
            chat.take()
        return True

    def next_token_in(self) -> float:
        """Seconds until some integration bucket has a token again (0 when one has)."""
        waits = [bucket.wait_time() for bucket in self._integrations.values()]
        return min(waits, default=0.0)
