"""ASGI middleware refusing request bodies over a size limit with a 413 in the envelope."""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """Rejects bodies larger than max_bytes, whether announced by Content-Length or streamed;
    advice maps a path ending to what a person should do instead (added to the message)."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, prefix: str = "/", advice: Mapping[str, str] | None = None
    ) -> None:
        self.app, self.max_bytes, self.prefix = app, max_bytes, prefix
        self.advice = dict(advice or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send, scope["path"])
            return
        seen = 0
        started = refused = False

        async def counting_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes and not refused:
                    refused = True
                    if not started:
                        await self._refuse(send, scope["path"])
                    return {"type": "http.disconnect"}  # the app stops reading; nothing is kept
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent in its place
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except Exception:
            if not refused:
                raise

    async def _refuse(self, send: Send, path: str) -> None:
        limit_kib = self.max_bytes // 1024
        advice = next((text for ending, text in self.advice.items() if path.rstrip("/").endswith(ending)), "")
        body = json.dumps(
            {
                "status": 413,
                "code": "PAYLOAD_TOO_LARGE",
                "message": f"request body is larger than {limit_kib} KiB; send less data{advice and '; ' + advice}",
                "results": None,
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
