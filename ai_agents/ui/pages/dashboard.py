"""Dashboard page: live counters, message and sentiment charts, recent alerts, pushed by live updates."""

from __future__ import annotations


import reflex as rx

from ai_agents.core.errors import ValidationFailed
from ai_agents.services.workspace.activity import message_activity
from ai_agents.services.workspace.alerts import list_alerts, open_alert_count
from ai_agents.services.workspace.dashboard import dashboard_stats
from ai_agents.services.workspace.health import health_report
from ai_agents.ui.components.charts import messages_chart, sentiment_chart, sentiment_slices
from ai_agents.ui.components.common import stat_card
from ai_agents.ui.components.rows import alert_row
from ai_agents.ui.layout import page_frame
from ai_agents.ui.live import tab_bursts
from ai_agents.ui.platform import call_service

LIVE_KINDS = ("message", "conversation", "alert", "outbox_sent", "outbox_failed", "integration_status")
RECENT_ALERTS = 5
REFRESH_EVERY = 2.0  # seconds: under load the counters and charts are recounted at most this often


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


async def _charts(utc_offset_minutes: int) -> dict:
    activity = await call_service(message_activity, utc_offset_minutes)
    return {
        "hourly": activity["hourly"],
        "daily": activity["daily"],
        "sentiment": sentiment_slices(activity["sentiment"]),
        "messages_24h": sum(bucket["total"] for bucket in activity["hourly"]),
        "sentiment_total": sum(activity["sentiment"].values()),
    }


def zone_label(utc_offset_minutes: int) -> str:
    """'UTC', 'UTC+05:30', 'UTC-10:00'."""
    if not utc_offset_minutes:
        return "UTC"
    hours, minutes = divmod(abs(utc_offset_minutes), 60)
    return f"UTC{'+' if utc_offset_minutes > 0 else '-'}{hours:02d}:{minutes:02d}"


class DashboardState(rx.State):
    """The counters and the latest open alerts."""

    messages_today: int = 0
    conversations: int = 0
    active_conversations: int = 0
    manual_conversations: int = 0
    open_alerts: int = 0
    agents: str = "0/0"
    recent_alerts: list[dict] = []
    hourly: list[dict] = []
    daily: list[dict] = []
    sentiment: list[dict] = []
    messages_24h: int = 0
    sentiment_total: int = 0
    utc_offset_minutes: int = 0  # the browser's, once it told; buckets in UTC until then
    zone: str = "UTC"

    def _show(self, numbers: dict) -> None:
        for name, value in numbers.items():
            setattr(self, name, value)

    @rx.event
    async def load(self):
        """The counters; the charts once the browser has told its UTC offset."""
        self._show(await _numbers())
        return rx.call_script("-new Date().getTimezoneOffset()", callback=DashboardState.show_charts)

    @rx.event
    async def show_charts(self, utc_offset_minutes: int | float | str = 0):
        """Charts bucketed on the browser's wall clock (`-getTimezoneOffset()`); UTC if it is unusable."""
        try:
            charts = await _charts(int(utc_offset_minutes))
            self.utc_offset_minutes = int(utc_offset_minutes)
        except (TypeError, ValueError, ValidationFailed):
            charts = await _charts(0)
            self.utc_offset_minutes = 0
        self.zone = zone_label(self.utc_offset_minutes)
        self._show(charts)

    @rx.event(background=True)
    async def follow(self):
        """Recount after each burst of events while the dashboard is open, at most every 2 s."""
        async with tab_bursts(self, LIVE_KINDS, min_interval=REFRESH_EVERY) as bursts:
            async for _burst in bursts:
                async with self:
                    offset = self.utc_offset_minutes
                numbers = {**await _numbers(), **await _charts(offset)}
                async with self:
                    if self.utc_offset_minutes == offset:
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
        rx.grid(
            _panel(rx.hstack(rx.heading("Messages, last 24 hours", size="3"), rx.spacer(),
                             rx.text(s.messages_24h, " messages · ", s.zone, size="1", color_scheme="gray",
                                     id="messages-24h")),
                   messages_chart(s.hourly, "chart-hourly")),
            _panel(rx.heading("Messages, last 14 days", size="3"), messages_chart(s.daily, "chart-daily")),
            _panel(rx.heading("Customer sentiment, last 7 days", size="3"),
                   rx.cond(s.sentiment_total > 0, sentiment_chart(s.sentiment),
                           rx.center(rx.text("No scored customer messages yet", size="2", color_scheme="gray"),
                                     height="200px", width="100%")),
                   rx.hstack(rx.foreach(s.sentiment, _sentiment_count), justify="center", width="100%")),
            columns=rx.breakpoints(initial="1", md="2", xl="3"),
            spacing="4",
            width="100%",
        ),
        rx.heading("Recent alerts", size="4"),
        rx.cond(
            s.recent_alerts.length() > 0,
            rx.vstack(rx.foreach(s.recent_alerts, _alert_line), id="recent-alerts", width="100%"),
            rx.text("No open alerts.", color_scheme="gray", id="recent-alerts-empty"),
        ),
    )


def _panel(*children: rx.Component) -> rx.Component:
    return rx.card(rx.vstack(*children, width="100%", spacing="2"), width="100%")


def _sentiment_count(slice_) -> rx.Component:
    return rx.hstack(
        rx.box(width="0.7em", height="0.7em", border_radius="50%", background=slice_["color"]),
        rx.text(slice_["name"], ": ", slice_["count"], size="1", id="sentiment-" + slice_["name"].to(str)),
        align="center",
        spacing="1",
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
