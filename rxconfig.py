"""Reflex configuration: one app, no telemetry, no sitemap, one port in prod mode."""

import os

import reflex as rx

from ai_agents.config import ConfigError, load_settings

settings = load_settings()
try:
    # Bind address and browser origins come from our settings only (HOST, PORT, ALLOWED_ORIGINS):
    # Reflex's own variable would silently reopen CORS on the API, the app and socket.io.
    if "REFLEX_CORS_ALLOWED_ORIGINS" in os.environ:
        raise ConfigError("REFLEX_CORS_ALLOWED_ORIGINS is not used: list extra origins in ALLOWED_ORIGINS.")
    # `reflex run --backend-host X` exports REFLEX_BACKEND_HOST and reloads this file: X is checked.
    settings.check_exposure()
except ConfigError as exc:
    raise SystemExit(f"error: {exc}") from None

config = rx.Config(
    app_name="ai_agents",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="teal"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
    backend_host=settings.host,
    backend_port=settings.port,
    cors_allowed_origins=settings.trusted_origins,
)
