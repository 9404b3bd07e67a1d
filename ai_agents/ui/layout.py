"""The page frame: sidebar navigation and a header with the health badge."""

from __future__ import annotations

import reflex as rx

from ai_agents.ui.auth import AuthState
from ai_agents.ui.components.health_details import health_details
from ai_agents.ui.components.login import login_card
from ai_agents.ui.state import HealthState

NAV = [
    ("Dashboard", "/", "layout-dashboard"),
    ("Agents", "/agents", "bot"),
    ("Integrations", "/integrations", "plug"),
    ("Live Chat", "/live-chat", "messages-square"),
    ("Broadcasts", "/broadcasts", "megaphone"),
    ("Alerts", "/alerts", "bell"),
]

HEALTH_REFRESH_MS = 30_000


def sidebar() -> rx.Component:
    return rx.vstack(
        rx.heading("AI Agents", size="5", margin_bottom="1em"),
        *[
            rx.link(
                rx.hstack(rx.icon(icon, size=18), rx.text(label)),
                href=href,
                underline="none",
                id=f"nav-{href.strip('/') or 'dashboard'}",
            )
            for label, href, icon in NAV
        ],
        rx.spacer(),
        rx.hstack(rx.icon("moon", size=16), rx.text("Dark mode", size="2"),
                  rx.color_mode.switch(size="1", id="dark-mode"), align="center"),  # kept in localStorage
        rx.button(rx.icon("log-out", size=14), "Log out", on_click=AuthState.logout, variant="ghost",
                  size="1", id="logout"),
        width="14em",
        min_height="100vh",
        padding="1.5em",
        spacing="3",
        border_right="1px solid var(--gray-a5)",
    )


def health_badge() -> rx.Component:
    """The badge; a click shows each integration with its status and reason (same refreshes)."""
    return rx.popover.root(
        rx.popover.trigger(
            rx.hstack(
                rx.moment(interval=HEALTH_REFRESH_MS, on_change=HealthState.refresh, display="none"),
                rx.badge(HealthState.status, color_scheme=HealthState.color, id="health-status"),
                rx.text("WhatsApp ", HealthState.whatsapp, size="1", id="health-whatsapp"),
                rx.text("Telegram ", HealthState.telegram, size="1", id="health-telegram"),
                rx.text("Instagram ", HealthState.instagram, size="1", id="health-instagram"),
                id="health-badge",
                spacing="3",
                align="center",
                cursor="pointer",
            ),
        ),
        rx.popover.content(health_details(), id="health-details", max_width="32em"),
    )


def page_frame(title: str, *children: rx.Component) -> rx.Component:
    """A page: sidebar, header (title + health), content; the login card until logged in."""
    return rx.cond(
        AuthState.checked,
        rx.cond(AuthState.logged_in, _frame(title, *children), login_card()),
        rx.center(rx.spinner(size="3"), min_height="100vh"),
    )


def _frame(title: str, *children: rx.Component) -> rx.Component:
    return rx.hstack(
        sidebar(),
        rx.vstack(
            rx.hstack(rx.heading(title, size="6"), rx.spacer(), health_badge(), width="100%"),
            rx.divider(),
            *children,
            padding="1.5em",
            width="100%",
            spacing="4",
        ),
        spacing="0",
        align="start",
        width="100%",
    )
