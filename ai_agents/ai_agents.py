"""Reflex entry point: the UI pages, the REST API under /api and the platform lifespan."""

import reflex as rx
from starlette.types import ASGIApp

from ai_agents.api import build_api
from ai_agents.api.security import browser_guard
from ai_agents.config import load_settings
from ai_agents.runtime.lifespan import lifespan
from ai_agents.services.context import ContextSlot
from ai_agents.ui.auth import SessionGuard
from ai_agents.ui.pages import add_pages


class GuardedApp(rx.App):
    """The Reflex app behind the browser guard (known Host, trusted Origin). The guard wraps the
    ASGI app Reflex serves, outside Reflex's own CORS layers, so a refused page gets no CORS header."""

    def __call__(self) -> ASGIApp:
        return browser_guard(load_settings())(super().__call__())


slot = ContextSlot()  # the running platform's context: filled by the lifespan, read by API and UI
app = GuardedApp(api_transformer=build_api(slot))
app.register_lifespan_task(lifespan, slot=slot)
app.add_middleware(SessionGuard())  # with API_TOKEN set, no handler of ours runs for a tab not logged in
add_pages(app)
