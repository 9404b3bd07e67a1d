"""The explicit list of pages: route, title, component and what loads on entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import reflex as rx

from ai_agents.ui.auth import AuthState
from ai_agents.ui.pages.agent_try import TryAgentState
from ai_agents.ui.pages.agents import AgentsState, agents_page
from ai_agents.ui.pages.alerts import AlertsState, alerts_page
from ai_agents.ui.pages.broadcasts import BroadcastsState, broadcasts_page
from ai_agents.ui.pages.dashboard import DashboardState, dashboard_page
from ai_agents.ui.pages.integrations import IntegrationsState, integrations_page
from ai_agents.ui.pages.live_chat import LiveChatState, live_chat_page
from ai_agents.ui.state import HealthState


@dataclass(frozen=True)
class Page:
    route: str
    title: str
    component: Callable[[], rx.Component]
    on_load: list[Any] = field(default_factory=list)


PAGES = [
    Page("/", "Dashboard", dashboard_page, [DashboardState.load, DashboardState.follow]),
    Page("/agents", "Agents", agents_page, [AgentsState.load, TryAgentState.follow]),
    Page("/integrations", "Integrations", integrations_page, [IntegrationsState.load, IntegrationsState.follow]),
    Page("/live-chat", "Live Chat", live_chat_page, [LiveChatState.load, LiveChatState.follow]),
    Page("/broadcasts", "Broadcasts", broadcasts_page, [BroadcastsState.load, BroadcastsState.follow]),
    Page("/alerts", "Alerts", alerts_page, [AlertsState.load, AlertsState.follow]),
]
# Every page first looks at the tab's session (the login card or the page), and follows the health.
EVERY_PAGE = [AuthState.check, HealthState.follow]


def add_pages(app: rx.App) -> None:
    for page in PAGES:
        app.add_page(
            page.component,
            route=page.route,
            title=f"{page.title} · AI Agents",
            on_load=[*EVERY_PAGE, *page.on_load],
        )
