"""Reflex entry point: the UI pages, the REST API under /api and the platform lifespan."""

import reflex as rx

from ai_agents.api import build_api
from ai_agents.runtime.lifespan import lifespan
from ai_agents.ui.pages import add_pages

app = rx.App(api_transformer=build_api())
app.register_lifespan_task(lifespan)
add_pages(app)
