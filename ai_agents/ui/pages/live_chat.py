"""Live Chat page (shell): Every conversation, with takeover, notes and export."""

from __future__ import annotations

import reflex as rx

from ai_agents.ui.layout import page_frame


def live_chat_page() -> rx.Component:
    return page_frame("Live Chat", rx.text("Every conversation, with takeover, notes and export.", id="page-intro"))
