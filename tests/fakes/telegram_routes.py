"""HTTP side of the fake Telegram Bot API: ``/bot<token>/<method>`` routes served in the background."""

from __future__ import annotations

import asyncio
import json
import re
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.http_server import BackgroundServer, wait_disconnect
from tests.fakes.telegram_state import (
    DESCRIPTIONS,
    Call,
    FakeBot,
    SentMessage,
    TelegramState,
    WaitingPoll,
    chat_key,
    next_message_id,
)

_TEXT_PARAMS = {"text", "caption", "title", "description", "short_description", "name", "question"}
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_CANONICAL = {name.lower(): name for name in (
    "getMe", "getUpdates", "deleteWebhook", "getWebhookInfo", "sendMessage", "sendChatAction",
    "setMyCommands", "getMyCommands", "deleteMyCommands", "close", "logOut")}


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


class BotApiServer:
    """Answers Bot API requests from ``state`` (see ``FakeTelegram`` for ``conflict``)."""

    def __init__(self, state: TelegramState, conflict: str) -> None:
        self.state = state
        self.conflict = conflict
        self.app = Starlette(routes=[
            Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
            Route("/{rest:path}", lambda request: _error(404), methods=["GET", "POST"]),  # incl. /file/
        ])
        self.server = BackgroundServer(self.app, on_stop=state.wake_polls, name="fake-telegram")

    async def _endpoint(self, request: Request) -> JSONResponse:
        token, method = request.path_params["token"], request.path_params["method"]
        try:
            params = await _read_params(request)
        except ValueError:
            return _error(400, "Bad Request: can't parse JSON object")
        call = Call(token, _CANONICAL.get(method.lower(), method), params, time.time())
        with self.state.cond:
            self.state.calls.append(call)
        response = await self._dispatch(request, token, call.method, params, call)
        call.status = response.status_code
        return response

    async def _dispatch(self, request: Request, token: str, method: str,
                        params: dict[str, Any], call: Call) -> JSONResponse:
        picked = self.state.pick_fault(method.lower(), token) if token in self.state.bots else None
        if picked is None:
            return await self._answer(request, token, method, params)
        fault, hang = picked
        call.fault = fault
        if fault == "429":
            return _error(429, retry_after=1)
        if fault.isdigit():
            return _error(int(fault))
        response = await self._answer(request, token, method, params) if fault == "timeout_delivered" else _error(504)
        await self.server.sleep(hang)
        return response

    async def _answer(self, request: Request, token: str, method: str,
                      params: dict[str, Any]) -> JSONResponse:
        state = self.state
        bot = state.bots.get(token)
        if bot is None:
            return _error(401)
        name = method.lower()
        if name not in _CANONICAL:
            return _error(404)
        sending = name == "sendmessage"
        with state.cond:
            latency = state.latency.get(name, 0.0)
            if sending:
                state.in_flight_send += 1
                state.max_in_flight_send = max(state.max_in_flight_send, state.in_flight_send)
        try:
            if latency > 0:
                await self.server.sleep(latency)
            failure = state.take_failure(name, token, params.get("chat_id"))
            if failure is not None:
                return _error(failure.status, failure.description, failure.retry_after)
            if name == "getupdates":
                return await self._get_updates(request, bot, params)
            result = self._simple_method(name, bot, token, params)
            return result if isinstance(result, JSONResponse) else _ok(result)
        finally:
            if sending:
                with state.cond:
                    state.in_flight_send -= 1

    async def _get_updates(self, request: Request, bot: FakeBot, params: dict[str, Any]) -> JSONResponse:
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(float(params.get("timeout") or 0), 0.0)
        poll = WaitingPoll()
        with self.state.cond:
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
                with self.state.cond:
                    batch = bot.updates[:limit]
                remaining = deadline - loop.time()
                if batch or remaining <= 0 or self.server.stopping or disconnected.done():
                    return _ok(batch)
                poll.wake.clear()
                woken = asyncio.ensure_future(poll.wake.wait())
                await asyncio.wait({woken, disconnected}, timeout=remaining,
                                   return_when=asyncio.FIRST_COMPLETED)
                woken.cancel()
        finally:
            disconnected.cancel()
            with self.state.cond:
                if bot.poll is poll:
                    bot.poll = None

    def _simple_method(self, name: str, bot: FakeBot, token: str, params: dict[str, Any]) -> Any:
        """Every method except getUpdates; runs on the server loop without awaiting."""
        with self.state.cond:
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

    def _send_message(self, bot: FakeBot, token: str, params: dict[str, Any]) -> Any:
        chat_id, text = chat_key(params.get("chat_id")), params.get("text")
        if chat_id in (None, ""):
            return _error(400, "Bad Request: chat_id is empty")
        if not text:
            return _error(400, "Bad Request: message text is empty")
        if (token, chat_id) in self.state.blocked:
            return _error(403)
        private = isinstance(chat_id, int) and chat_id > 0
        chat = bot.chats.get(chat_id) or {"id": chat_id, "type": "private" if private else "group",
                                          "first_name" if private else "title": "Test chat"}
        message_id, now = next_message_id(bot, chat_id), time.time()
        self.state.sent.append(SentMessage(token, chat_id, str(text), message_id, now, params))
        self.state.cond.notify_all()
        sender = {k: bot.user[k] for k in ("id", "is_bot", "first_name", "username")}
        return {"message_id": message_id, "date": int(now), "chat": chat, "from": sender, "text": str(text)}
