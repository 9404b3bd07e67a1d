"""Shared UI state: the header health badge, refreshed every 30 s and at once on a status change."""

from __future__ import annotations


import reflex as rx

from ai_agents.core.errors import Unavailable
from ai_agents.services.context import AppContext
from ai_agents.services.workspace.health import health_report
from ai_agents.ui.components.integration_rows import integration_rows
from ai_agents.ui.live import tab_bursts
from ai_agents.ui.platform import call_service


def health_with_details(ctx: AppContext) -> tuple[dict, list[dict]]:
    """The badge's report and each integration with its status and reason (one worker thread)."""
    report = health_report(ctx)
    return report, integration_rows(ctx) if report["database"]["status"] == "ok" else []


class HealthState(rx.State):
    """What the header badge shows, and its details: each integration with its status and reason."""

    status: str = "unknown"
    whatsapp: str = "0/0"
    telegram: str = "0/0"
    instagram: str = "0/0"
    integrations: list[dict] = []

    def _show(self, report: dict, details: list[dict]) -> None:
        self.integrations = details
        self.status = report["status"]
        wa, tg, ig = report["whatsapp"], report["telegram"], report["instagram"]
        self.whatsapp = f"{wa['connected_devices']}/{wa['total_devices']}"
        self.telegram = f"{tg['running_bots']}/{tg['total_bots']}"
        self.instagram = f"{ig['connected_pages']}/{ig['total_pages']}"

    @rx.event
    async def refresh(self, _date: str = ""):
        try:
            self._show(*await call_service(health_with_details))
        except Unavailable:
            self.status = "starting"

    @rx.event(background=True)
    async def follow(self):
        """At once when an integration changes state (started from each page's on_load)."""
        async with tab_bursts(self, ["integration_status"]) as bursts:
            async for _burst in bursts:
                report, details = await call_service(health_with_details)
                async with self:
                    self._show(report, details)

    @rx.var
    def color(self) -> str:
        return {"healthy": "green", "degraded": "amber", "unhealthy": "red"}.get(self.status, "gray")
