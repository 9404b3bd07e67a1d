"""What the fake Telegram Bot API records: bots, updates, sent messages, calls and scripted faults."""

from __future__ import annotations

import asyncio
import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
DESCRIPTIONS = {  # default error descriptions, worded like the real Bot API
    400: "Bad Request: chat not found", 401: "Unauthorized", 403: "Forbidden: bot was blocked by the user",
    404: "Not Found", 409: CONFLICT, 500: "Internal Server Error", 502: "Bad Gateway",
}
# A timeout is an answer that comes `hang` seconds late (after the client gave up): "timeout_lost"
# drops the message, "timeout_delivered" delivers it first, so only the answer is lost.
CHAOS_FAULTS = ("500", "502", "429", "timeout_lost", "timeout_delivered")


@dataclass
class SentMessage:
    token: str
    chat_id: int | str
    text: str
    message_id: int
    at: float
    params: dict[str, Any]


@dataclass
class Call:
    token: str
    method: str
    params: dict[str, Any]
    at: float
    status: int | None = None  # HTTP status answered (None while in flight)
    fault: str | None = None  # chaos: "500", "502", "429", "timeout_lost" or "timeout_delivered"


@dataclass
class ScriptedFailure:
    """An error answer queued by ``FakeTelegram.fail`` for the next matching calls."""

    method: str
    token: str | None
    chat_id: int | str | None
    status: int
    description: str
    retry_after: int | None
    times: int
    skip: int = 0  # matching calls let through before the failures start


@dataclass
class ChaosRule:
    """Random faults on a share of the calls of one method (seeded: a run can be repeated)."""

    method: str
    token: str | None
    rate: float
    hang: float
    faults: tuple[str, ...]
    rng: random.Random


class WaitingPoll:
    """One waiting getUpdates request (lives on the server loop)."""

    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.terminated = False


@dataclass
class FakeBot:
    user: dict[str, Any]
    updates: list[dict[str, Any]] = field(default_factory=list)
    chats: dict[int | str, dict[str, Any]] = field(default_factory=dict)
    last_message_id: dict[int | str, int] = field(default_factory=dict)
    commands: list[Any] = field(default_factory=list)
    poll: WaitingPoll | None = None


def chat_key(chat_id: Any) -> int | str:
    if isinstance(chat_id, str) and re.fullmatch(r"-?\d+", chat_id):
        return int(chat_id)
    return chat_id


def next_message_id(bot: FakeBot, chat_id: int | str, wanted: int | None = None) -> int:
    message_id = wanted or bot.last_message_id.get(chat_id, 0) + 1
    bot.last_message_id[chat_id] = max(message_id, bot.last_message_id.get(chat_id, 0))
    return message_id


class TelegramState:
    """Everything the fake holds, guarded by ``cond`` (shared by the test API and the HTTP side)."""

    def __init__(self) -> None:
        self.cond = threading.Condition(threading.RLock())
        self.bots: dict[str, FakeBot] = {}
        self.next_update_id = 100_000
        self.in_flight_send = 0
        self.max_in_flight_send = 0
        self.clear()

    def clear(self) -> None:
        self.sent: list[SentMessage] = []
        self.calls: list[Call] = []
        self.failures: list[ScriptedFailure] = []
        self.chaos: list[ChaosRule] = []
        self.latency: dict[str, float] = {}
        self.blocked: set[tuple[str, int | str]] = set()

    def bot(self, token: str) -> FakeBot:
        try:
            return self.bots[token]
        except KeyError:
            raise KeyError(f"unknown bot token {token!r}; call add_bot() first") from None

    def wake_polls(self) -> None:  # runs on the server loop
        for bot in list(self.bots.values()):
            if bot.poll is not None:
                bot.poll.wake.set()

    def pick_fault(self, name: str, token: str) -> tuple[str, float] | None:
        with self.cond:
            for chaos in self.chaos:
                if chaos.method == name and chaos.token in (None, token) and chaos.rng.random() < chaos.rate:
                    return chaos.rng.choice(chaos.faults), chaos.hang
        return None

    def take_failure(self, name: str, token: str, chat_id: Any) -> ScriptedFailure | None:
        with self.cond:
            for failure in self.failures:
                if (failure.method == name and failure.token in (None, token)
                        and (failure.chat_id is None or failure.chat_id == chat_key(chat_id))):
                    if failure.skip > 0:
                        failure.skip -= 1
                        return None
                    failure.times -= 1
                    if failure.times <= 0:
                        self.failures.remove(failure)
                    return failure
        return None
