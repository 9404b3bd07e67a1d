"""Fake Meta Graph API (WhatsApp Cloud API phone numbers, Instagram through Pages) over real HTTP."""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.http_server import BackgroundServer

# Error texts worded like Meta's (developers.facebook.com: Graph API and Cloud API error codes).
MESSAGES = {
    190: "Invalid OAuth access token - Cannot parse access token",
    100: "Unsupported get request. Object does not exist, cannot be loaded due to missing permissions",
    130429: "Rate limit hit: Cloud API message throughput has been reached",
    131047: "Re-engagement message: more than 24 hours have passed since the recipient last replied",
    131026: "Message undeliverable",
    10: "This message is sent outside of allowed window.",
    4: "Application request limit reached",
    2: "Service temporarily unavailable",
}


@dataclass
class Account:
    """A WhatsApp business phone number or a Facebook Page, with the tokens that may use it."""

    kind: str  # "whatsapp" or "page"
    object_id: str
    tokens: set[str]
    fields: dict[str, Any]


@dataclass
class SentMessage:
    account: str  # phone_number_id or page id
    to: str
    text: str
    message_id: str
    token: str
    at: float
    body: dict[str, Any]


@dataclass
class Call:
    method: str
    path: str
    token: str | None
    at: float
    status: int | None = None


@dataclass
class _Failure:
    account: str | None
    to: str | None
    status: int
    code: int
    subcode: int | None
    message: str
    times: int
    skip: int = 0


@dataclass
class _State:
    accounts: dict[str, Account] = field(default_factory=dict)
    sent: list[SentMessage] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    failures: list[_Failure] = field(default_factory=list)
    latency: float = 0.0


def _error(status: int, code: int, message: str | None = None, subcode: int | None = None) -> JSONResponse:
    error: dict[str, Any] = {"message": message or MESSAGES.get(code, "An unknown error occurred"),
                             "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEfFakeTrace"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return JSONResponse({"error": error}, status_code=status)


class FakeGraph:
    """`{base_url}/v{N}/{id}` (GET: the object's fields) and `{base_url}/v{N}/{id}/messages` (POST:
    send). Tokens come as `Authorization: Bearer` or `access_token`; thread-safe test API."""

    def __init__(self) -> None:
        self._lock = threading.Condition(threading.RLock())
        self._state = _State()
        self._ids = itertools.count(1)
        self.in_flight = 0
        self.max_in_flight = 0
        self.app = Starlette(routes=[
            Route("/{version}/{object_id}/messages", self._send, methods=["POST"]),
            Route("/{version}/{object_id}", self._get, methods=["GET"]),
            Route("/{rest:path}", lambda request: _error(404, 100, "Unknown path"), methods=["GET", "POST"]),
        ])
        self._server = BackgroundServer(self.app, name="fake-graph")

    # ---------------------------------------------------------------- lifecycle
    @property
    def base_url(self) -> str:
        return self._server.base_url

    def start(self) -> FakeGraph:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> FakeGraph:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ---------------------------------------------------------------- test API
    def add_phone_number(self, phone_number_id: str, token: str, *, display_phone_number: str = "+1 555-010-0000",
                         verified_name: str = "Acme Support") -> None:
        fields = {"id": phone_number_id, "display_phone_number": display_phone_number,
                  "verified_name": verified_name, "quality_rating": "GREEN"}
        with self._lock:
            self._state.accounts[phone_number_id] = Account("whatsapp", phone_number_id, {token}, fields)

    def add_page(self, page_id: str, token: str, *, name: str = "Acme Page",
                 instagram_account_id: str | None = "17841400000000001") -> None:
        fields: dict[str, Any] = {"id": page_id, "name": name}
        if instagram_account_id:
            fields["instagram_business_account"] = {"id": instagram_account_id}
        with self._lock:
            self._state.accounts[page_id] = Account("page", page_id, {token}, fields)

    def revoke(self, token: str) -> None:
        """The token stops working everywhere (error 190), as when it is revoked or expires."""
        with self._lock:
            for account in self._state.accounts.values():
                account.tokens.discard(token)

    def grant(self, object_id: str, token: str) -> None:
        with self._lock:
            self._state.accounts[object_id].tokens.add(token)

    def fail(self, *, code: int, status: int = 400, subcode: int | None = None, account: str | None = None,
             to: str | None = None, message: str | None = None, times: int = 1, skip: int = 0) -> None:
        """The next `times` sends (of `account`, to `to`; after `skip` of them) answer this Graph error."""
        with self._lock:
            self._state.failures.append(_Failure(account, to, status, code, subcode,
                                                 message or MESSAGES.get(code, "error"), times, skip))

    def set_latency(self, seconds: float) -> None:
        with self._lock:
            self._state.latency = seconds

    def sent(self, account: str | None = None, to: str | None = None) -> list[SentMessage]:
        with self._lock:
            return [m for m in self._state.sent if account in (None, m.account) and to in (None, m.to)]

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._state.calls if method in (None, c.method)]

    async def awaited_sent(self, n: int, *, account: str | None = None, to: str | None = None,
                           timeout: float = 10.0) -> list[SentMessage]:
        deadline = time.monotonic() + timeout
        while len(found := self.sent(account, to)) < n:
            if time.monotonic() >= deadline:
                raise TimeoutError(f"expected {n} sent message(s) to {to or 'anyone'} within {timeout}s, "
                                   f"saw {len(found)}: {[m.text for m in found]!r}")
            await asyncio.sleep(0.01)
        return found

    # ---------------------------------------------------------------- HTTP side
    @staticmethod
    def _token(request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("bearer "):
            return header[7:].strip()
        return request.query_params.get("access_token")

    def _account(self, request: Request) -> tuple[Account | None, JSONResponse | None, str | None]:
        token, object_id = self._token(request), request.path_params["object_id"]
        with self._lock:
            self._state.calls.append(Call(request.method, request.url.path, token, time.time()))
            account = self._state.accounts.get(object_id)
            known = any(token in a.tokens for a in self._state.accounts.values())
            if not token or not known:
                return None, _error(400, 190), token
            if account is None or token not in account.tokens:
                return None, _error(400, 100, subcode=33), token
        return account, None, token

    async def _get(self, request: Request) -> JSONResponse:
        account, problem, _ = self._account(request)
        if problem is not None:
            return problem
        wanted = [f for f in request.query_params.get("fields", "").split(",") if f] or ["id", "name"]
        return JSONResponse({k: v for k, v in account.fields.items() if k in wanted or k == "id"})

    async def _send(self, request: Request) -> JSONResponse:
        account, problem, token = self._account(request)
        if problem is not None:
            return problem
        try:
            body = json.loads(await request.body())
        except ValueError:
            return _error(400, 100, "Invalid JSON body")
        to, text = _recipient_and_text(account.kind, body)
        if not to or not text:
            return _error(400, 100, "(#100) The parameter to/recipient and a text body are required")
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            latency = self._state.latency
        try:
            if latency:
                await self._server.sleep(latency)
            failure = self._take_failure(account.object_id, to)
            if failure is not None:
                return _error(failure.status, failure.code, failure.message, failure.subcode)
            return JSONResponse(self._record(account, to, text, token, body))
        finally:
            with self._lock:
                self.in_flight -= 1

    def _take_failure(self, account: str, to: str) -> _Failure | None:
        with self._lock:
            for failure in self._state.failures:
                if failure.account in (None, account) and failure.to in (None, to):
                    if failure.skip > 0:
                        failure.skip -= 1
                        return None
                    failure.times -= 1
                    if failure.times <= 0:
                        self._state.failures.remove(failure)
                    return failure
        return None

    def _record(self, account: Account, to: str, text: str, token: str, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            number = next(self._ids)
            prefix = "wamid.HBgLMTU1NTAxMDAwMDAVAgARGBI" if account.kind == "whatsapp" else "aWdfZAG1faXRlbTo"
            message_id = f"{prefix}{number:08d}"
            self._state.sent.append(SentMessage(account.object_id, to, text, message_id, token, time.time(), body))
            self._lock.notify_all()
        if account.kind == "whatsapp":
            return {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to.lstrip("+")}],
                    "messages": [{"id": message_id}]}
        return {"recipient_id": to, "message_id": message_id}


def _recipient_and_text(kind: str, body: Any) -> tuple[str | None, str | None]:
    if not isinstance(body, dict):
        return None, None
    if kind == "whatsapp":
        if body.get("messaging_product") != "whatsapp" or body.get("type") != "text":
            return None, None
        return body.get("to"), (body.get("text") or {}).get("body")
    return (body.get("recipient") or {}).get("id"), (body.get("message") or {}).get("text")
