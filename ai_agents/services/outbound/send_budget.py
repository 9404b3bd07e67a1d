"""Per-integration and per-chat send rates: which outbox rows may go out now, and when the next may."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

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


@dataclass(frozen=True)
class Channel:
    """An integration as the budget needs it: its id, provider and configured rates."""

    integration_id: int
    provider: str
    config: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Candidate:
    """A due outbox row that may be claimed if its rates allow."""

    row_id: int
    channel: Channel
    recipient: str
    campaign: bool = False  # campaign rows go after conversation messages


def _locked(method):
    """Run the method under the budget's lock."""

    @functools.wraps(method)
    def run(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return run


class SendBudget:
    """Token buckets in this process. Tokens are taken only for rows really claimed (`take`).
    Thread-safe: claims run in a worker thread, sends and deletions in the event loop."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self._now = now
        self._lock = threading.RLock()
        self._integrations: dict[int, TokenBucket] = {}
        self._chats: dict[tuple[int, str], TokenBucket] = {}

    def _integration_bucket(self, channel: Channel) -> TokenBucket:
        default = DEFAULT_RATES.get(channel.provider, (10.0, None))[0]
        rate = float(channel.config.get("rate_limit_per_second") or default)
        bucket = self._integrations.get(channel.integration_id)
        if bucket is None or bucket.rate != rate:
            bucket = TokenBucket(rate=rate, burst=max(1.0, rate / 5), now=self._now)
            self._integrations[channel.integration_id] = bucket
        return bucket

    def _chat_bucket(self, channel: Channel, recipient: str) -> TokenBucket | None:
        default = DEFAULT_RATES.get(channel.provider, (0, None))[1]
        per_chat = channel.config.get("per_chat_rate_limit_per_second") or default
        if per_chat is None:
            return None
        key = (channel.integration_id, recipient)
        bucket = self._chats.get(key)
        if bucket is None or bucket.rate != per_chat:
            if len(self._chats) >= MAX_CHAT_BUCKETS:
                self._forget_idle_chats()
            bucket = self._chats[key] = TokenBucket(rate=per_chat, burst=CHAT_BURST, now=self._now)
        return bucket

    def _forget_idle_chats(self) -> None:
        for key in [k for k, b in self._chats.items() if b.available() >= b.burst]:
            del self._chats[key]

    @_locked
    def available(self, channel: Channel) -> int:
        """Whole tokens the integration has now."""
        return self._integration_bucket(channel).available()

    @_locked
    def choose(self, candidates: Iterable[Candidate], limit: int) -> tuple[list[Candidate], list[Candidate]]:
        """Split candidates (in priority order) into at most `limit` the rates allow now and those a
        rate holds back (one per integration out of tokens, each one a chat's rate holds); nothing
        is taken yet."""
        chosen: list[Candidate] = []
        held: list[Candidate] = []
        spent: dict[object, int] = {}
        exhausted: set[int] = set()
        for candidate in candidates:
            if len(chosen) >= limit:
                break
            integration_id = candidate.channel.integration_id
            if integration_id in exhausted:
                continue
            if self._integration_bucket(candidate.channel).available() - spent.get(integration_id, 0) < 1:
                exhausted.add(integration_id)
                held.append(candidate)
                continue
            buckets = self._buckets(candidate)
            if all(bucket.available() - spent.get(key, 0) >= 1 for key, bucket in buckets):
                chosen.append(candidate)
                for key, _ in buckets:
                    spent[key] = spent.get(key, 0) + 1
            else:
                held.append(candidate)
        return chosen, held

    @_locked
    def take(self, candidate: Candidate) -> None:
        """Use one token of the integration and of the chat for a row that was claimed."""
        for _, bucket in self._buckets(candidate):
            bucket.take()

    @_locked
    def take_if_free(self, candidate: Candidate) -> bool:
        """Take the row's tokens if the rates allow it now (a reply handed straight to a sender)."""
        if not self.choose([candidate], 1)[0]:
            return False
        self.take(candidate)
        return True

    @_locked
    def give_back(self, candidate: Candidate) -> None:
        """Return the tokens of a claimed row that was not sent after all (the channel was down)."""
        for _, bucket in self._buckets(candidate):
            bucket.give_back()

    @_locked
    def wait_time(self, candidates: Iterable[Candidate]) -> float | None:
        """Seconds until the first of these rows may go (None: no rows)."""
        waits = [max(bucket.wait_time() for _, bucket in self._buckets(c, create=False)) for c in candidates]
        return min(waits, default=None)

    @_locked
    def channel_wait_time(self, channel: Channel) -> float:
        """Seconds until the integration has a token again."""
        return self._integration_bucket(channel).wait_time()

    @_locked
    def forget(self, integration_id: int) -> None:
        """Drop the rate state of an integration (deleted): its bucket and its chats' buckets."""
        self._integrations.pop(integration_id, None)
        for key in [key for key in list(self._chats) if key[0] == integration_id]:
            self._chats.pop(key, None)

    def _buckets(self, candidate: Candidate, create: bool = True) -> list[tuple[object, TokenBucket]]:
        channel = candidate.channel
        buckets: list[tuple[object, TokenBucket]] = [(channel.integration_id, self._integration_bucket(channel))]
        key = (channel.integration_id, candidate.recipient)
        chat = self._chat_bucket(channel, candidate.recipient) if create else self._chats.get(key)
        if chat is not None:
            buckets.append(((channel.integration_id, candidate.recipient), chat))
        return buckets
