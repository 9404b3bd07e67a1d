"""Shared UI state: the header health badge, refreshed from the health service."""

from __future__ import annotations

import reflex as rx

from ai_agents.core.errors import Unavailable
from ai_agents.services.workspace.health import health_report
from ai_agents.ui.platform import platform_context


class HealthState(rx.State):
    """What the header badge shows; refreshed on mount and every 30 seconds."""

    status: str = "unknown"
    whatsapp: str = "0/0"
    telegram: str = "0/0"
    instagram: str = "0/0"

    @rx.event
    def refresh(self, _date: str = ""):
        try:
            report = health_report(platform_context())
        except Unavailable:
            self.status = "starting"
            return
        self.status = report["status"]
        wa, tg, ig = report["whatsapp"], report["telegram"], report["instagram"]
        self.whatsapp = f"{wa['connected_devices']}/{wa['total_devices']}"
        self.telegram = f"{tg['running_bots']}/{tg['total_bots']}"
        self.instagram = f"{ig['connected_pages']}/{ig['total_pages']}"

    @rx.var
    def color(self) -> str:
        return {"healthy": "green", "degraded": "amber", "unhealthy": "red"}.get(
            self.status, "gray"
        )
