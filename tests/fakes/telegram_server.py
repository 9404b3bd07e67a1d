"""Fake Telegram Bot API server served over real HTTP for python-telegram-bot / httpx tests."""

from __future__ import annotations

import asyncio
import random
import time
import zlib
from typing import Any

from tests.fakes.telegram_routes import BotApiServer
from tests.fakes.telegram_state import (
    CHAOS_FAULTS,
    CONFLICT,
    DESCRIPTIONS,
    Call,
    ChaosRule,
    FakeBot,
    ScriptedFailure,
    SentMessage,
    TelegramState,
    chat_key,
    next_message_id,
)

# CONFLICT and the record types are imported from here by tests; they live in telegram_state.
__all__ = ["CHAOS_FAULTS", "CONFLICT", "DESCRIPTIONS", "Call", "FakeTelegram", "SentMessage"]


class FakeTelegram:
    """Fake Bot API at ``{base_url}/bot<token>/<method>``; all public methods are thread-safe.

    ``conflict="terminate_older"`` (default, like real Telegram): a new getUpdates ends a waiting
    one with 409. ``conflict="reject_newer"``: the new request gets 409, the waiting one goes on.
    """

    # Read-only views of what the HTTP side holds.
    conflict = property(lambda self: self._api.conflict, doc="How a second getUpdates is answered (see above).")
    in_flight_send = property(lambda self: self._state.in_flight_send,
                              doc="sendMessage requests being answered right now.")
    max_in_flight_send = property(lambda self: self._state.max_in_flight_send,
                                  doc="Most sendMessage requests answered at once since start or reset.")

    def __init__(self, *, conflict: str = "terminate_older") -> None:
        if conflict not in ("terminate_older", "reject_newer"):
            raise ValueError(f"unknown conflict mode {conflict!r}")
        self._state = TelegramState()
        self._api = BotApiServer(self._state, conflict)
        self.app = self._api.app
        self._server = self._api.server

    # ---------------------------------------------------------------- lifecycle
    @property
    def base_url(self) -> str:
        return self._server.base_url

    def start(self) -> FakeTelegram:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ---------------------------------------------------------------- test API
    def add_bot(self, token: str, username: str = "test_bot", first_name: str = "Test Bot") -> dict[str, Any]:
        """Register a bot token (others get 401); the bot id is the numeric token prefix."""
        prefix = token.split(":", 1)[0]
        bot_id = int(prefix) if prefix.isdigit() else zlib.crc32(token.encode()) or 1
        user = {"id": bot_id, "is_bot": True, "first_name": first_name, "username": username,
                "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}
        with self._state.cond:
            self._state.bots[token] = FakeBot(user=user)
        return dict(user)

    def push_update(self, token: str, update: dict[str, Any]) -> int:
        """Queue a raw update (``update_id`` is assigned); wakes a waiting long-poll."""
        state = self._state
        with state.cond:
            bot = state.bot(token)
            update_id = state.next_update_id
            state.next_update_id += 1
            bot.updates.append({"update_id": update_id, **update})
        self._server.call_soon(state.wake_polls)
        return update_id

    def push_message(
        self, token: str, chat_id: int, text: str, *, first_name: str = "Alice",
        username: str | None = None, chat_type: str = "private", message_id: int | None = None,
        user_id: int | None = None,
    ) -> int:
        """Queue an inbound customer text message and return its update_id."""
        user: dict[str, Any] = {"id": user_id or (chat_id if chat_type == "private" else abs(chat_id)),
                                "is_bot": False, "first_name": first_name}
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = f"Test {chat_type}"
        if username:
            user["username"] = chat["username"] = username
        with self._state.cond:
            bot = self._state.bot(token)
            bot.chats[chat_id] = chat
            message_id = next_message_id(bot, chat_id, message_id)
            message = {"message_id": message_id, "date": int(time.time()), "chat": chat,
                       "from": user, "text": text}
            return self.push_update(token, {"message": message})

    def sent(self, token: str | None = None, chat_id: int | str | None = None) -> list[SentMessage]:
        """Messages the bots sent (successful sendMessage calls), oldest first."""
        chat = chat_key(chat_id)
        with self._state.cond:
            return [m for m in self._state.sent
                    if (token is None or m.token == token) and (chat is None or m.chat_id == chat)]

    def wait_for_sent(self, n: int, *, token: str | None = None, chat_id: int | str | None = None,
                      timeout: float = 10.0) -> list[SentMessage]:
        """Block until at least ``n`` matching messages were sent. Not for use inside the
        event loop that runs the bot (it would block it) - use ``awaited_sent`` there."""
        with self._state.cond:
            if self._state.cond.wait_for(lambda: len(self.sent(token, chat_id)) >= n, timeout):
                return self.sent(token, chat_id)
        raise TimeoutError(self._timeout_message(n, token, chat_id, timeout))

    async def awaited_sent(self, n: int, *, token: str | None = None,
                           chat_id: int | str | None = None, timeout: float = 10.0) -> list[SentMessage]:
        deadline = time.monotonic() + timeout
        while len(found := self.sent(token, chat_id)) < n:
            if time.monotonic() >= deadline:
                raise TimeoutError(self._timeout_message(n, token, chat_id, timeout))
            await asyncio.sleep(0.01)
        return found

    def _timeout_message(self, n: int, token: str | None, chat_id: Any, timeout: float) -> str:
        seen = self.sent(token, chat_id)
        return (f"expected {n} sent message(s) (token={token!r}, chat_id={chat_id!r}) within "
                f"{timeout}s, saw {len(seen)}: {[m.text for m in seen]!r}; "
                f"all methods called: {[c.method for c in self.calls()]!r}")

    def fail(self, method: str, *, token: str | None = None, chat_id: int | str | None = None,
             status: int = 500, description: str | None = None, retry_after: int | None = None,
             times: int = 1, skip: int = 0) -> None:
        """The next ``times`` matching calls of ``method`` answer an error instead (after letting
        ``skip`` matching calls through)."""
        if status == 429 and description is None:
            description = f"Too Many Requests: retry after {retry_after or 1}"
        with self._state.cond:
            self._state.failures.append(ScriptedFailure(
                method.lower(), token, chat_key(chat_id), status,
                description or DESCRIPTIONS.get(status, "Error"), retry_after, times, skip))

    def chaos(self, method: str = "sendMessage", *, rate: float = 0.3, token: str | None = None,
              hang: float = 1.0, faults: tuple[str, ...] = CHAOS_FAULTS, seed: int = 0) -> None:
        """From now on a share ``rate`` of the calls of ``method`` fail with one of ``faults``
        (see CHAOS_FAULTS), picked at random; ``Call.fault`` records which."""
        unknown = set(faults) - set(CHAOS_FAULTS)
        if unknown or not 0 <= rate <= 1:
            raise ValueError(f"faults must be among {CHAOS_FAULTS} and 0 <= rate <= 1, got {unknown or rate}")
        with self._state.cond:
            self._state.chaos.append(
                ChaosRule(method.lower(), token, rate, hang, tuple(faults), random.Random(seed)))

    def block_chat(self, token: str, chat_id: int | str) -> None:
        with self._state.cond:
            self._state.blocked.add((token, chat_key(chat_id)))

    def unblock_chat(self, token: str, chat_id: int | str) -> None:
        with self._state.cond:
            self._state.blocked.discard((token, chat_key(chat_id)))

    def set_latency(self, method: str, seconds: float) -> None:
        with self._state.cond:
            self._state.latency[method.lower()] = seconds

    def calls(self, token: str | None = None, method: str | None = None) -> list[Call]:
        """Every request received (any status), oldest first; ``method`` is case-insensitive."""
        with self._state.cond:
            return [c for c in self._state.calls if (token is None or c.token == token)
                    and (method is None or c.method.lower() == method.lower())]

    def is_polling(self, token: str) -> bool:
        """True while a getUpdates request for ``token`` is waiting (long-polling)."""
        with self._state.cond:
            return self._state.bot(token).poll is not None

    def pending_updates(self, token: str) -> int:
        with self._state.cond:
            return len(self._state.bot(token).updates)

    def reset(self) -> None:
        """Forget updates, sent messages, calls, failures, latency and blocks (bots stay)."""
        state = self._state
        with state.cond:
            state.clear()
            for bot in state.bots.values():
                bot.updates.clear()
                bot.commands.clear()
            state.max_in_flight_send = state.in_flight_send
            state.cond.notify_all()
        self._server.call_soon(state.wake_polls)
