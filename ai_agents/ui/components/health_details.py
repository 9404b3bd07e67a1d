"""The health badge's details: each integration with its channel, agent, status and reason."""

from __future__ import annotations

import reflex as rx

from ai_agents.ui.components.common import channel_icon
from ai_agents.ui.state import HealthState


def _integration(row) -> rx.Component:
    return rx.hstack(
        channel_icon(row["channel"]),
        rx.vstack(
            rx.hstack(
                rx.text(row["name"], size="2", weight="medium"),
                rx.text(row["agent"], size="1", color_scheme="gray"),
                align="baseline",
                spacing="2",
            ),
            rx.cond(row["reason"] != "", rx.text(row["reason"], size="1", color_scheme="gray",
                                                 class_name="health-detail-reason")),
            spacing="0",
        ),
        rx.spacer(),
        rx.badge(row["status"], color_scheme=row["color"], class_name="health-detail-status"),
        class_name="health-detail",
        align="center",
        width="100%",
        spacing="3",
    )


def health_details() -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.text("Integrations", weight="bold", size="2"), rx.spacer(),
                  rx.link("Manage", href="/integrations", size="1"), width="100%"),
        rx.cond(
            HealthState.integrations.length() > 0,
            rx.vstack(rx.foreach(HealthState.integrations, _integration), spacing="2", width="100%"),
            rx.text("No integrations yet.", size="1", color_scheme="gray"),
        ),
        spacing="3",
        width="28em",
    )
