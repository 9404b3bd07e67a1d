"""Workspace flow: what people manage: agents, settings, integrations, live chat, dashboard, health."""
