"""The explicit list of pages: route, title, component and what loads on entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import reflex as rx

from ai_agents.ui.pages.agents import AgentsState, agents_page
from ai_agents.ui.pages.alerts import alerts_page
from ai_agents.ui.pages.broadcasts import broadcasts_page
from ai_agents.ui.pages.dashboard import dashboard_page
from ai_agents.ui.pages.integrations import integrations_page
from ai_agents.ui.pages.live_chat import live_chat_page


@dataclass(frozen=True)
class Page:
    route: str
    title: str
    component: Callable[[], rx.Component]
    on_load: list[Any] = field(default_factory=list)


PAGES = [
    Page("/", "Dashboard", dashboard_page),
    Page("/agents", "Agents", agents_page, [AgentsState.load]),
    Page("/integrations", "Integrations", integrations_page),
    Page("/live-chat", "Live Chat", live_chat_page),
    Page("/broadcasts", "Broadcasts", broadcasts_page),
    Page("/alerts", "Alerts", alerts_page),
]


def add_pages(app: rx.App) -> None:
    for page in PAGES:
        app.add_page(
            page.component,
            route=page.route,
            title=f"{page.title} · AI Agents",
            on_load=page.on_load or None,
        )
