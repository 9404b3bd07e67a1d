"""Dependencies of the routes: the running context and the bearer-token check."""

from __future__ import annotations

import hmac

from fastapi import Depends, Request

from ai_agents.core.errors import AppError
from ai_agents.services.context import AppContext


def get_ctx(request: Request) -> AppContext:
    """The running platform of the app serving the request (503 in the envelope while it starts
    or stops); build_api put its ContextSlot on the app's state."""
    return request.app.state.context_slot.get()


class Unauthorized(AppError):
    status = 401
    code = "UNAUTHORIZED"


def require_token(request: Request, ctx: AppContext = Depends(get_ctx)) -> None:
    """When API_TOKEN is set, the request must carry `Authorization: Bearer <API_TOKEN>`."""
    expected = ctx.settings.api_token
    if not expected:
        return
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Unauthorized(
            "missing or wrong API token: send the header `Authorization: Bearer <API_TOKEN>`"
        )
