"""Fake Telegram Bot API server served over real HTTP for python-telegram-bot / httpx tests."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.http_server import BackgroundServer, wait_disconnect

CONFLICT = "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
DESCRIPTIONS = {  # default error descriptions, worded like the real Bot API
    400: "Bad Request: chat not found", 401: "Unauthorized", 403: "Forbidden: bot was blocked by the user",
    404: "Not Found", 409: CONFLICT, 500: "Internal Server Error", 502: "Bad Gateway",
}
_TEXT_PARAMS = {"text", "caption", "title", "description", "short_description", "name", "question"}
_NUMBER = re.compile(r"-?\d+(\.\d+)?")


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


@dataclass
class _Failure:
    method: str
    token: str | None
    chat_id: int | str | None
    status: int
    description: str
    retry_after: int | None
    times: int


class _Poll:
    """One waiting getUpdates request (lives on the server loop)."""

    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self.terminated = False


@dataclass
class _Bot:
    user: dict[str, Any]
    updates: list[dict[str, Any]] = field(default_factory=list)
    chats: dict[int | str, dict[str, Any]] = field(default_factory=dict)
    last_message_id: dict[int | str, int] = field(default_factory=dict)
    commands: list[Any] = field(default_factory=list)
    poll: _Poll | None = None


def _chat_key(chat_id: Any) -> int | str:
    if isinstance(chat_id, str) and re.fullmatch(r"-?\d+", chat_id):
        return int(chat_id)
    return chat_id


def _coerce(key: str, value: str) -> Any:
    """Decode a form/query value the way Telegram does (PTB JSON-encodes non-strings)."""
    if key in _TEXT_PARAMS:
        return value
    if value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    if _NUMBER.fullmatch(value):
        return float(value) if "." in value else int(value)
    return {"true": True, "false": False}.get(value, value)


async def _read_params(request: Request) -> dict[str, Any]:
    params: dict[str, Any] = {k: _coerce(k, v) for k, v in request.query_params.items()}
    content_type = request.headers.get("content-type", "")
    if "application/json" in content_type:
        body = await request.body()
        if body:
            data = json.loads(body)  # ValueError -> 400 by caller
            if not isinstance(data, dict):
                raise ValueError("JSON body must be an object")
            params.update(data)
    elif "form" in content_type:
        form = await request.form()
        for key, value in form.multi_items():
            params[key] = _coerce(key, value) if isinstance(value, str) else f"<file {value.filename}>"
    return params


class _EscapedJSON(JSONResponse):
    """JSON with non-ASCII as \\u escapes (valid JSON, as many encoders send it): any Python text
    a test pushes reaches the bot, even text the platform cannot store (a lone surrogate)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, allow_nan=False, separators=(",", ":")).encode("ascii")


def _ok(result: Any) -> JSONResponse:
    return _EscapedJSON({"ok": True, "result": result})


def _error(status: int, description: str | None = None, retry_after: int | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": False, "error_code": status}
    if status == 429:
        retry_after = retry_after or 1
        body["description"] = description or f"Too Many Requests: retry after {retry_after}"
        body["parameters"] = {"retry_after": retry_after}
    else:
        body["description"] = description or DESCRIPTIONS.get(status, "Error")
    return JSONResponse(body, status_code=status)


class FakeTelegram:
    """Fake Bot API at ``{base_url}/bot<token>/<method>``; all public methods are thread-safe.

    ``conflict="terminate_older"`` (default, like real Telegram): a new getUpdates ends a waiting
    one with 409. ``conflict="reject_newer"``: the new request gets 409, the waiting one goes on.
    """

    def __init__(self, *, conflict: str = "terminate_older") -> None:
        if conflict not in ("terminate_older", "reject_newer"):
            raise ValueError(f"unknown conflict mode {conflict!r}")
        self.conflict = conflict
        self._cond = threading.Condition(threading.RLock())
        self._bots: dict[str, _Bot] = {}
        self._next_update_id = 100_000
        self.in_flight_send = 0
        self.max_in_flight_send = 0
        self._clear()
        self.app = Starlette(routes=[
            Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
            Route("/{rest:path}", lambda request: _error(404), methods=["GET", "POST"]),  # incl. /file/
        ])
        self._server = BackgroundServer(self.app, on_stop=self._wake_all, name="fake-telegram")

    def _clear(self) -> None:
        self._sent: list[SentMessage] = []
        self._calls: list[Call] = []
        self._failures: list[_Failure] = []
        self._latency: dict[str, float] = {}
        self._blocked: set[tuple[str, int | str]] = set()

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

    def _wake_all(self) -> None:  # runs on the server loop
        for bot in list(self._bots.values()):
            if bot.poll is not None:
                bot.poll.wake.set()

    # ---------------------------------------------------------------- test API
    def add_bot(self, token: str, username: str = "test_bot", first_name: str = "Test Bot") -> dict[str, Any]:
        """Register a bot token (others get 401); the bot id is the numeric token prefix."""
        prefix = token.split(":", 1)[0]
        bot_id = int(prefix) if prefix.isdigit() else zlib.crc32(token.encode()) or 1
        user = {"id": bot_id, "is_bot": True, "first_name": first_name, "username": username,
                "can_join_groups": True, "can_read_all_group_messages": False,
                "supports_inline_queries": False}
        with self._cond:
            self._bots[token] = _Bot(user=user)
        return dict(user)

    def push_update(self, token: str, update: dict[str, Any]) -> int:
        """Queue a raw update (``update_id`` is assigned); wakes a waiting long-poll."""
        with self._cond:
            self._bot(token)
            update_id = self._next_update_id
            self._next_update_id += 1
            self._bots[token].updates.append({"update_id": update_id, **update})
        self._server.call_soon(self._wake_all)
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
        with self._cond:
            bot = self._bot(token)
            bot.chats[chat_id] = chat
            message_id = self._message_id(bot, chat_id, message_id)
            message = {"message_id": message_id, "date": int(time.time()), "chat": chat,
                       "from": user, "text": text}
            return self.push_update(token, {"message": message})

    def sent(self, token: str | None = None, chat_id: int | str | None = None) -> list[SentMessage]:
        """Messages the bots sent (successful sendMessage calls), oldest first."""
        chat = _chat_key(chat_id)
        with self._cond:
            return [m for m in self._sent
                    if (token is None or m.token == token) and (chat is None or m.chat_id == chat)]

    def wait_for_sent(self, n: int, *, token: str | None = None, chat_id: int | str | None = None,
                      timeout: float = 10.0) -> list[SentMessage]:
        """Block until at least ``n`` matching messages were sent. Not for use inside the
        event loop that runs the bot (it would block it) - use ``awaited_sent`` there."""
        with self._cond:
            if self._cond.wait_for(lambda: len(self.sent(token, chat_id)) >= n, timeout):
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
             times: int = 1) -> None:
        """The next ``times`` matching calls of ``method`` answer an error instead."""
        if status == 429 and description is None:
            description = f"Too Many Requests: retry after {retry_after or 1}"
        with self._cond:
            self._failures.append(_Failure(method.lower(), token, _chat_key(chat_id), status,
                                           description or DESCRIPTIONS.get(status, "Error"),
                                           retry_after, times))

    def block_chat(self, token: str, chat_id: int | str) -> None:
        with self._cond:
            self._blocked.add((token, _chat_key(chat_id)))

    def unblock_chat(self, token: str, chat_id: int | str) -> None:
        with self._cond:
            self._blocked.discard((token, _chat_key(chat_id)))

    def set_latency(self, method: str, seconds: float) -> None:
        with self._cond:
            self._latency[method.lower()] = seconds

    def calls(self, token: str | None = None, method: str | None = None) -> list[Call]:
        """Every request received (any status), oldest first; ``method`` is case-insensitive."""
        with self._cond:
            return [c for c in self._calls if (token is None or c.token == token)
                    and (method is None or c.method.lower() == method.lower())]

    def is_polling(self, token: str) -> bool:
        """True while a getUpdates request for ``token`` is waiting (long-polling)."""
        with self._cond:
            return self._bot(token).poll is not None

    def pending_updates(self, token: str) -> int:
        with self._cond:
            return len(self._bot(token).updates)

    def reset(self) -> None:
        """Forget updates, sent messages, calls, failures, latency and blocks (bots stay)."""
        with self._cond:
            self._clear()
            for bot in self._bots.values():
                bot.updates.clear()
                bot.commands.clear()
            self.max_in_flight_send = self.in_flight_send
            self._cond.notify_all()
        self._server.call_soon(self._wake_all)

    def _bot(self, token: str) -> _Bot:
        try:
            return self._bots[token]
        except KeyError:
            raise KeyError(f"unknown bot token {token!r}; call add_bot() first") from None

    @staticmethod
    def _message_id(bot: _Bot, chat_id: int | str, wanted: int | None = None) -> int:
        message_id = wanted or bot.last_message_id.get(chat_id, 0) + 1
        bot.last_message_id[chat_id] = max(message_id, bot.last_message_id.get(chat_id, 0))
        return message_id

    # ---------------------------------------------------------------- HTTP side
    async def _endpoint(self, request: Request) -> JSONResponse:
        token, method = request.path_params["token"], request.path_params["method"]
        try:
            params = await _read_params(request)
        except ValueError:
            return _error(400, "Bad Request: can't parse JSON object")
        call = Call(token, _CANONICAL.get(method.lower(), method), params, time.time())
        with self._cond:
            self._calls.append(call)
        response = await self._dispatch(request, token, call.method, params)
        call.status = response.status_code
        return response

    async def _dispatch(self, request: Request, token: str, method: str,
                        params: dict[str, Any]) -> JSONResponse:
        bot = self._bots.get(token)
        if bot is None:
            return _error(401)
        name = method.lower()
        if name not in _CANONICAL:
            return _error(404)
        sending = name == "sendmessage"
        with self._cond:
            latency = self._latency.get(name, 0.0)
            if sending:
                self.in_flight_send += 1
                self.max_in_flight_send = max(self.max_in_flight_send, self.in_flight_send)
        try:
            if latency > 0:
                await self._server.sleep(latency)
            failure = self._take_failure(name, token, params.get("chat_id"))
            if failure is not None:
                return _error(failure.status, failure.description, failure.retry_after)
            if name == "getupdates":
                return await self._get_updates(request, bot, params)
            result = self._simple_method(name, bot, token, params)
            return result if isinstance(result, JSONResponse) else _ok(result)
        finally:
            if sending:
                with self._cond:
                    self.in_flight_send -= 1

    def _take_failure(self, name: str, token: str, chat_id: Any) -> _Failure | None:
        with self._cond:
            for failure in self._failures:
                if (failure.method == name and failure.token in (None, token)
                        and (failure.chat_id is None or failure.chat_id == _chat_key(chat_id))):
                    failure.times -= 1
                    if failure.times <= 0:
                        self._failures.remove(failure)
                    return failure
        return None

    async def _get_updates(self, request: Request, bot: _Bot, params: dict[str, Any]) -> JSONResponse:
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(float(params.get("timeout") or 0), 0.0)
        poll = _Poll()
        with self._cond:
            if offset > 0:
                bot.updates = [u for u in bot.updates if u["update_id"] >= offset]
            elif offset < 0:
                bot.updates = bot.updates[offset:]
            previous = bot.poll
            if previous is not None and self.conflict == "reject_newer":
                return _error(409)
            bot.poll = poll
        if previous is not None:
            previous.terminated = True
            previous.wake.set()
        disconnected = asyncio.ensure_future(wait_disconnect(request.receive))
        try:
            while True:
                if poll.terminated:
                    return _error(409)
                with self._cond:
                    batch = bot.updates[:limit]
                remaining = deadline - loop.time()
                if batch or remaining <= 0 or self._server.stopping or disconnected.done():
                    return _ok(batch)
                poll.wake.clear()
                woken = asyncio.ensure_future(poll.wake.wait())
                await asyncio.wait({woken, disconnected}, timeout=remaining,
                                   return_when=asyncio.FIRST_COMPLETED)
                woken.cancel()
        finally:
            disconnected.cancel()
            with self._cond:
                if bot.poll is poll:
                    bot.poll = None

    def _simple_method(self, name: str, bot: _Bot, token: str, params: dict[str, Any]) -> Any:
        """Every method except getUpdates; runs on the server loop without awaiting."""
        with self._cond:
            if name == "sendmessage":
                return self._send_message(bot, token, params)
            if name == "getme":
                return bot.user
            if name == "deletewebhook" and params.get("drop_pending_updates"):
                bot.updates.clear()
            if name == "getwebhookinfo":
                return {"url": "", "has_custom_certificate": False, "pending_update_count": len(bot.updates)}
            if name in ("setmycommands", "deletemycommands"):
                bot.commands = list(params.get("commands") or [])
            if name == "getmycommands":
                return bot.commands
            return True  # deleteWebhook, sendChatAction, set/deleteMyCommands, close, logOut

    def _send_message(self, bot: _Bot, token: str, params: dict[str, Any]) -> Any:
        chat_id, text = _chat_key(params.get("chat_id")), params.get("text")
        if chat_id in (None, ""):
            return _error(400, "Bad Request: chat_id is empty")
        if not text:
            return _error(400, "Bad Request: message text is empty")
        if (token, chat_id) in self._blocked:
            return _error(403)
        private = isinstance(chat_id, int) and chat_id > 0
        chat = bot.chats.get(chat_id) or {"id": chat_id, "type": "private" if private else "group",
                                          "first_name" if private else "title": "Test chat"}
        message_id, now = self._message_id(bot, chat_id), time.time()
        self._sent.append(SentMessage(token, chat_id, str(text), message_id, now, params))
        self._cond.notify_all()
        sender = {k: bot.user[k] for k in ("id", "is_bot", "first_name", "username")}
        return {"message_id": message_id, "date": int(now), "chat": chat, "from": sender, "text": str(text)}


_CANONICAL = {name.lower(): name for name in (
    "getMe", "getUpdates", "deleteWebhook", "getWebhookInfo", "sendMessage", "sendChatAction",
    "setMyCommands", "getMyCommands", "deleteMyCommands", "close", "logOut")}
