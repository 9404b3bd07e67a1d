"""Sends of one linked device: one at a time, a person's pace apart (an interval plus random jitter)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

from ai_agents.channels.base import SendError, SendResult
from ai_agents.channels.whatsapp_client import DeviceClient, DeviceSendFailed
from ai_agents.channels.whatsapp_inbound import recipient_jid
from ai_agents.channels.whatsapp_states import send_error
from ai_agents.core.retry import split_text

SEND_INTERVAL_SECONDS = 2.0  # at least this long between two sends of one device ...
SEND_JITTER_SECONDS = 3.0  # ... plus a random 0 to this: a person's pace, which keeps the number safe
MESSAGE_LIMIT = 4096


class PacedSender:
    """`connected()` gives the client while the device is connected (None: it is not, and
    `state()` says why)."""

    def __init__(
        self, connected: Callable[[], DeviceClient | None], state: Callable[[], str], *,
        interval: float, jitter: float, sleep, monotonic, rng: random.Random,
    ) -> None:
        self._connected, self._state = connected, state
        self._interval, self._jitter = interval, jitter
        self._sleep, self._monotonic, self._rng = sleep, monotonic, rng
        self._lock = asyncio.Lock()
        self._last_send: float | None = None

    async def send(self, recipient: str, text: str, start_part: int = 0) -> SendResult:
        """Send the parts from `start_part` on; a failure says how many parts are delivered."""
        to = recipient_jid(recipient)
        if to is None:
            raise SendError(f"invalid recipient {recipient!r}: expected a phone number in E.164 form", transient=False)
        delivered, first_id = start_part, None
        for piece in split_text(text, MESSAGE_LIMIT)[start_part:]:
            async with self._lock:
                self._client_or_raise(delivered)
                await self._pace()
                client = self._client_or_raise(delivered)  # the pause may have outlived the connection
                try:
                    message_id = await asyncio.to_thread(client.send_text, to, piece)
                except DeviceSendFailed as exc:
                    raise send_error(str(exc), delivered) from None
                finally:
                    self._last_send = self._monotonic()
            first_id, delivered = first_id or message_id, delivered + 1
        return SendResult(external_id=first_id, parts_sent=delivered)

    def _client_or_raise(self, delivered: int) -> DeviceClient:
        client = self._connected()
        if client is None:
            raise SendError(f"WhatsApp device is not connected ({self._state()})", transient=True, parts_sent=delivered)
        return client

    async def _pace(self) -> None:
        if self._last_send is None:
            return
        wait = self._last_send + self._interval + self._rng.uniform(0, self._jitter) - self._monotonic()
        if wait > 0:
            await self._sleep(wait)
