"""Broadcasts page (shell): Campaigns to many recipients, rate-limited and retried."""

from __future__ import annotations

import reflex as rx

from ai_agents.ui.layout import page_frame


def broadcasts_page() -> rx.Component:
    return page_frame("Broadcasts", rx.text("Campaigns to many recipients, rate-limited and retried.", id="page-intro"))
