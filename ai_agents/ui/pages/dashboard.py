"""Dashboard page: live counters and recent alerts, pushed by live updates (no reload, no polling)."""

from __future__ import annotations

from contextlib import aclosing

import reflex as rx

from ai_agents.services.workspace.alerts import list_alerts, open_alert_count
from ai_agents.services.workspace.dashboard import dashboard_stats
from ai_agents.services.workspace.health import health_report
from ai_agents.ui.components.common import stat_card
from ai_agents.ui.components.rows import alert_row
from ai_agents.ui.layout import page_frame
from ai_agents.ui.live import live_bursts
from ai_agents.ui.platform import call_service

LIVE_KINDS = ("message", "conversation", "alert", "outbox_sent", "outbox_failed", "integration_status")
RECENT_ALERTS = 5


async def _numbers() -> dict:
    stats = await call_service(dashboard_stats)
    health = await call_service(health_report)
    alerts, _total = await call_service(list_alerts, acknowledged=False, limit=RECENT_ALERTS)
    return {
        "messages_today": stats["messages_today"],
        "conversations": stats["conversations"],
        "active_conversations": stats["active_conversations"],
        "manual_conversations": stats["manual_conversations"],
        "open_alerts": await call_service(open_alert_count),
        "agents": f"{health['active_agents']}/{health['total_agents']}",
        "recent_alerts": [alert_row(a) for a in alerts],
    }


class DashboardState(rx.State):
    """The counters and the latest open alerts."""

    messages_today: int = 0
    conversations: int = 0
    active_conversations: int = 0
    manual_conversations: int = 0
    open_alerts: int = 0
    agents: str = "0/0"
    recent_alerts: list[dict] = []

    def _show(self, numbers: dict) -> None:
        for name, value in numbers.items():
            setattr(self, name, value)

    @rx.event
    async def load(self):
        self._show(await _numbers())

    @rx.event(background=True)
    async def follow(self):
        """Recount after each burst of events while the dashboard is open."""
        async with self:
            owner = (self.get_full_name(), self.router.session.client_token)
        async with aclosing(live_bursts(owner, LIVE_KINDS)) as bursts:
            async for _burst in bursts:
                numbers = await _numbers()
                async with self:
                    self._show(numbers)


def dashboard_page() -> rx.Component:
    s = DashboardState
    return page_frame(
        "Dashboard",
        rx.flex(
            stat_card("Messages Today", s.messages_today, "stat-messages-today"),
            stat_card("Conversations", s.conversations, "stat-conversations"),
            stat_card("Active (24 h)", s.active_conversations, "stat-active"),
            stat_card("Taken over", s.manual_conversations, "stat-manual"),
            stat_card("Open alerts", s.open_alerts, "stat-open-alerts"),
            stat_card("Agents active/total", s.agents, "stat-agents"),
            wrap="wrap",
            spacing="4",
        ),
        rx.heading("Recent alerts", size="4"),
        rx.cond(
            s.recent_alerts.length() > 0,
            rx.vstack(rx.foreach(s.recent_alerts, _alert_line), id="recent-alerts", width="100%"),
            rx.text("No open alerts.", color_scheme="gray", id="recent-alerts-empty"),
        ),
    )


def _alert_line(row) -> rx.Component:
    return rx.hstack(
        rx.badge(row["kind"], color_scheme=row["color"]),
        rx.text(row["text"], size="2"),
        rx.spacer(),
        rx.cond(row["href"] != "", rx.link(row["contact"], href=row["href"], size="2")),
        rx.text(row["when"], size="1", color_scheme="gray"),
        width="100%",
        align="center",
    )
