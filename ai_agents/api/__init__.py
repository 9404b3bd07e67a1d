"""The REST API under /api: build_api() returns the FastAPI app Reflex serves beside the UI."""

from __future__ import annotations

from fastapi import FastAPI

from ai_agents.api.errors import install_error_handlers
from ai_agents.api.limits import BodySizeLimit
from ai_agents.api.routes import ROUTERS
from ai_agents.api.routes.broadcasts import too_large_advice
from ai_agents.services.context import ContextSlot


def build_api(slot: ContextSlot | None = None, max_body_bytes: int = 1024 * 1024) -> FastAPI:
    """The API app: routes, error envelope, body size limit, OpenAPI docs at /api/docs. Routes
    reach the running platform through `slot` (filled by the lifespan; empty: 503)."""
    api = FastAPI(
        title="AI Agents API",
        version="1.0",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    api.state.context_slot = slot or ContextSlot()
    install_error_handlers(api)
    for router in ROUTERS:
        api.include_router(router)
    advice = {"/settings/broadcast": too_large_advice(max_body_bytes)}
    api.add_middleware(BodySizeLimit, max_bytes=max_body_bytes, prefix="/api", advice=advice)
    return api
