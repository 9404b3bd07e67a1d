"""Reflex configuration: one app, no telemetry, no sitemap, one port in prod mode."""

import os

import reflex as rx

config = rx.Config(
    app_name="ai_agents",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="teal"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
    backend_port=int(os.environ.get("PORT", "8080")),
)
