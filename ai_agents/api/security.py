"""Browser boundary of the server: only known host names (DNS rebinding) and only trusted origins."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from starlette.datastructures import Headers
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from ai_agents.config import WILDCARD_ADDRESSES, Settings
from ai_agents.logs import get_logger

log = get_logger("api")


class OriginGuard:
    """Refuses any request or websocket whose Origin header is not a trusted origin (403).

    Browsers send Origin on cross-origin requests, on same-origin requests that change state and on
    every websocket; a page elsewhere (http://evil.example) can still fire simple requests without a
    preflight, so CORS headers alone would not stop it from acting. Requests without Origin (curl,
    server-to-server) are not from a browser page and pass."""

    def __init__(self, app: ASGIApp, *, origins: Iterable[str]) -> None:
        self.app, self.origins = app, frozenset(origins)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = Headers(scope=scope).get("origin") if scope["type"] in ("http", "websocket") else None
        if origin is None or origin.lower() in self.origins:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # before accept: the handshake gets 403
        else:
            await _refuse(send, origin)


async def _refuse(send: Send, origin: str) -> None:
    message = f"requests from the web page origin {origin!r} are not allowed; add it to ALLOWED_ORIGINS if yours"
    body = json.dumps({"status": 403, "code": "FORBIDDEN_ORIGIN", "message": message, "results": None}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 403, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def browser_guard(settings: Settings) -> Callable[[ASGIApp], ASGIApp]:
    """Wraps the whole ASGI app (API, pages, socket.io): an unknown Host gets 400, an untrusted Origin 403."""

    def wrap(app: ASGIApp) -> ASGIApp:
        if settings.bind_host in WILDCARD_ADDRESSES and not settings.allowed_hosts:
            names = ", ".join(settings.trusted_hosts)
            log.warning("⚠️  Listening on all addresses; accepted host names: %s. Set ALLOWED_HOSTS to add yours", names)
        guarded = OriginGuard(app, origins=settings.trusted_origins)
        return TrustedHostMiddleware(guarded, allowed_hosts=settings.trusted_hosts, www_redirect=False)

    return wrap
