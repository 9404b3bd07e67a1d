"""Integrations page (shell): Channel connections of your agents: Telegram bots, WhatsApp devices, Instagram pages."""

from __future__ import annotations

import reflex as rx

from ai_agents.ui.layout import page_frame


def integrations_page() -> rx.Component:
    return page_frame("Integrations", rx.text("Channel connections of your agents: Telegram bots, WhatsApp devices, Instagram pages.", id="page-intro"))
