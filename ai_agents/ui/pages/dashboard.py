"""Dashboard page: live counters from the dashboard service."""

from __future__ import annotations

import reflex as rx

from ai_agents.core.errors import Unavailable
from ai_agents.services.workspace.dashboard import dashboard_stats
from ai_agents.ui.layout import page_frame
from ai_agents.ui.platform import platform_context

REFRESH_MS = 5_000


class DashboardState(rx.State):
    """The counters; refreshed on mount and every few seconds."""

    messages_today: int = 0
    conversations: int = 0
    active_conversations: int = 0
    manual_conversations: int = 0

    @rx.event
    def refresh(self, _date: str = ""):
        try:
            stats = dashboard_stats(platform_context())
        except Unavailable:
            return
        self.messages_today = stats["messages_today"]
        self.conversations = stats["conversations"]
        self.active_conversations = stats["active_conversations"]
        self.manual_conversations = stats["manual_conversations"]


def stat_card(label: str, value, element_id: str) -> rx.Component:
    return rx.card(
        rx.vstack(rx.text(label, size="2", color_scheme="gray"), rx.heading(value, size="7", id=element_id)),
        min_width="12em",
    )


def dashboard_page() -> rx.Component:
    return page_frame(
        "Dashboard",
        rx.moment(interval=REFRESH_MS, on_change=DashboardState.refresh, display="none"),
        rx.flex(
            stat_card("Messages Today", DashboardState.messages_today, "stat-messages-today"),
            stat_card("Conversations", DashboardState.conversations, "stat-conversations"),
            stat_card("Active (24 h)", DashboardState.active_conversations, "stat-active"),
            stat_card("Taken over", DashboardState.manual_conversations, "stat-manual"),
            wrap="wrap",
            spacing="4",
        ),
    )
