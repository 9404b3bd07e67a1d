"""The login card shown instead of a page while the tab is not logged in."""

from __future__ import annotations

import reflex as rx

from ai_agents.ui.auth import AuthState


def login_card() -> rx.Component:
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("AI Agents", size="6"),
                    rx.text("Enter the API token the server was started with (API_TOKEN).", size="2"),
                    rx.input(name="password", type="password", placeholder="API token", id="login-password",
                             width="100%", auto_focus=True),
                    rx.cond(AuthState.login_error != "",
                            rx.text(AuthState.login_error, color_scheme="red", size="2", id="login-error")),
                    rx.button("Log in", type="submit", id="login-submit", width="100%"),
                    spacing="3",
                ),
                on_submit=AuthState.login,
                reset_on_submit=True,
            ),
            width="24em",
        ),
        min_height="100vh",
    )
