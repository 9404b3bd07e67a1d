"""Alerts page (shell): Negative sentiment, escalations and delivery failures."""

from __future__ import annotations

import reflex as rx

from ai_agents.ui.layout import page_frame


def alerts_page() -> rx.Component:
    return page_frame("Alerts", rx.text("Negative sentiment, escalations and delivery failures.", id="page-intro"))
