"""Fake OpenAI-compatible chat-completions server served over real HTTP for client tests."""

from __future__ import annotations

import inspect
import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.fakes.http_server import BackgroundServer

Responder = Callable[[dict[str, Any], str], Any]  # -> str | dict (message fields or error spec)

DEFAULT_MODELS = ("gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "text-embedding-3-small")
_ERROR_DEFAULTS: dict[int, tuple[str, str, str | None]] = {  # status -> (message, type, code)
    400: ("Invalid request.", "invalid_request_error", None),
    401: ("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
    403: ("You are not allowed to access this resource.", "invalid_request_error", None),
    404: ("Not found.", "invalid_request_error", None),
    429: ("Rate limit reached for requests.", "requests", "rate_limit_exceeded"),
    500: ("The server had an error while processing your request.", "server_error", None),
    503: ("The engine is currently overloaded, please try again later.", "server_error", None),
}


def default_responder(body: dict[str, Any], api_key: str) -> str:
    """Reply with ``Reply to: <last user message content>``."""
    for message in reversed(body.get("messages") or []):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):  # content parts: keep the text ones
                content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            return f"Reply to: {content}"
    return "Reply to: "


def error_response(status: int, message: str | None = None, *, type: str | None = None,
                   code: str | None = None, retry_after: float | None = None) -> JSONResponse:
    """An OpenAI-style error body with the given HTTP status."""
    default_message, default_type, default_code = _ERROR_DEFAULTS.get(status, ("Error.", "api_error", None))
    body = {"error": {"message": message or default_message, "type": type or default_type,
                      "param": None, "code": code if code is not None else default_code}}
    headers = {"x-request-id": f"req_{uuid.uuid4().hex}"}
    if retry_after is not None:
        headers["retry-after"] = f"{retry_after:g}"
    return JSONResponse(body, status_code=status, headers=headers)


def _count_tokens(value: Any) -> int:
    if isinstance(value, str):
        return len(value.split())
    if isinstance(value, list):
        return sum(_count_tokens(v) for v in value)
    if isinstance(value, dict):
        return _count_tokens(value.get("content")) + _count_tokens(value.get("text"))
    return 0


@dataclass
class _Failure:
    status: int
    message: str | None
    type: str | None
    code: str | None
    retry_after: float | None
    times: int


class FakeOpenAI:
    """OpenAI-compatible server at ``{base_url}/v1``; all public methods are thread-safe."""

    def __init__(self, *, models: tuple[str, ...] = DEFAULT_MODELS) -> None:
        self.models = tuple(models)
        self._lock = threading.Lock()
        self.in_flight = 0
        self._clear()
        self.app = Starlette(routes=[
            Route("/v1/chat/completions", self._chat_completions, methods=["POST"]),
            Route("/v1/models", self._list_models, methods=["GET"]),
            Route("/web/{rest:path}", self._web_page, methods=["GET", "POST"]),
            Route("/{rest:path}", self._not_found, methods=["GET", "POST", "PUT", "DELETE"]),
        ])
        self._server = BackgroundServer(self.app, name="fake-openai")

    def _clear(self) -> None:
        self._requests: list[dict[str, Any]] = []
        self._script: list[Any] = []
        self._failures: list[_Failure] = []
        self._responder: Responder = default_responder
        self._latency = 0.0
        self._api_key: str | None = None
        self.max_in_flight = self.in_flight  # peak concurrent completions since the last reset

    # ---------------------------------------------------------------- lifecycle
    @property
    def base_url(self) -> str:
        """Server root, e.g. ``http://127.0.0.1:PORT``; clients use ``base_url + "/v1"``."""
        return self._server.base_url

    def start(self) -> FakeOpenAI:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ---------------------------------------------------------------- test API
    def set_responder(self, fn: Responder | None) -> None:
        """``fn(request_json, api_key)`` returns the reply text, a dict of assistant message
        fields (``content``, ``tool_calls``, optional ``finish_reason``), an error spec
        ``{"status": 429, "message": ..., "type": ..., "code": ..., "retry_after": ...}``, or
        ``{"drip": seconds}``: a 200 that sends one byte every ``seconds`` and never ends.
        May be async. ``None`` restores the default responder."""
        with self._lock:
            self._responder = fn or default_responder

    def script(self, replies: list[Any]) -> None:
        """Queue replies (same forms as a responder result) used in order before the responder."""
        with self._lock:
            self._script.extend(replies)

    def set_latency(self, seconds: float) -> None:
        with self._lock:
            self._latency = seconds

    def fail(self, status: int, *, times: int = 1, message: str | None = None,
             retry_after: float | None = None, code: str | None = None, type: str | None = None) -> None:
        """The next ``times`` completions answer an OpenAI-style error with ``status``."""
        with self._lock:
            self._failures.append(_Failure(status, message, type, code, retry_after, times))

    def require_api_key(self, key: str | None) -> None:
        """Any other Bearer key gets 401 invalid_api_key (``None`` accepts every key)."""
        with self._lock:
            self._api_key = key

    def requests(self) -> list[dict[str, Any]]:
        """Recorded completion requests: api_key, model, messages, temperature, body, at, status."""
        with self._lock:
            return [dict(r) for r in self._requests]

    def reset(self) -> None:
        """Forget requests, scripts, failures, latency, responder and required key."""
        with self._lock:
            self._clear()

    # ---------------------------------------------------------------- HTTP side
    async def _not_found(self, request: Request) -> JSONResponse:
        return error_response(404, f"Invalid URL ({request.method} {request.url.path})")

    async def _web_page(self, request: Request) -> HTMLResponse:
        """A web site instead of an API (what a wrong base_url often reaches): HTML with 200."""
        return HTMLResponse("<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>")

    async def _drip(self, interval: float):
        while not self._server.stopping:
            yield b" "
            await self._server.sleep(interval)

    async def _list_models(self, request: Request) -> JSONResponse:
        if (denied := self._check_key(request)) is not None:
            return denied
        data = [{"id": m, "object": "model", "created": 1_700_000_000, "owned_by": "fake-openai"}
                for m in self.models]
        return JSONResponse({"object": "list", "data": data})

    def _check_key(self, request: Request) -> JSONResponse | None:
        key = _api_key(request)
        if self._api_key is not None and key != self._api_key:
            return error_response(401, f"Incorrect API key provided: {key[:8]}***.")
        return None

    async def _chat_completions(self, request: Request) -> Response:
        try:
            body = json.loads(await request.body())
            if not isinstance(body, dict):
                raise ValueError
        except ValueError:
            return error_response(400, "We could not parse the JSON body of your request.")
        record = {"api_key": _api_key(request), "model": body.get("model"),
                  "messages": body.get("messages"), "temperature": body.get("temperature"),
                  "body": body, "at": time.time(), "status": None}
        with self._lock:
            self._requests.append(record)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            latency = self._latency
        try:
            response = await self._complete(request, body, latency)
        finally:
            with self._lock:
                self.in_flight -= 1
        record["status"] = response.status_code
        return response

    async def _complete(self, request: Request, body: dict[str, Any], latency: float) -> Response:
        if (denied := self._check_key(request)) is not None:
            return denied
        if latency > 0:
            await self._server.sleep(latency)  # ends early on stop()
        with self._lock:
            failure = self._failures[0] if self._failures else None
            if failure is not None:
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.pop(0)
            scripted = self._script.pop(0) if self._script else None
            responder = self._responder
        if failure is not None:
            return error_response(failure.status, failure.message, type=failure.type,
                                  code=failure.code, retry_after=failure.retry_after)
        if body.get("stream"):
            return error_response(400, "stream=true is not supported by the fake OpenAI server",
                                  code="unsupported_parameter")
        if not body.get("model") or not isinstance(body.get("messages"), list):
            return error_response(400, "'model' and 'messages' are required.")
        reply = scripted if scripted is not None else responder(body, _api_key(request))
        if inspect.isawaitable(reply):
            reply = await reply
        if isinstance(reply, dict) and "drip" in reply:
            return StreamingResponse(self._drip(reply["drip"]), media_type="application/json")
        if isinstance(reply, dict) and "status" in reply:
            spec = dict(reply)
            return error_response(spec.pop("status"), spec.pop("message", None), **spec)
        return JSONResponse(_completion(body, reply), headers={"x-request-id": f"req_{uuid.uuid4().hex}"})



def _api_key(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    return auth[7:] if auth.lower().startswith("bearer ") else auth


def _completion(body: dict[str, Any], reply: Any) -> dict[str, Any]:
    fields = dict(reply) if isinstance(reply, dict) else {"content": str(reply)}
    finish_reason = fields.pop("finish_reason", "tool_calls" if fields.get("tool_calls") else "stop")
    message = {"role": "assistant", "content": None, "refusal": None, **fields}
    prompt_tokens = _count_tokens(body.get("messages"))
    completion_tokens = _count_tokens(message.get("content"))
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason, "logprobs": None}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
        "system_fingerprint": "fp_fake",
    }
