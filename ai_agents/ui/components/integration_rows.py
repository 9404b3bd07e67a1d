"""Integration views turned into the flat rows the Integrations page and the health details show."""

from __future__ import annotations

from typing import Any

from ai_agents.core.types import IntegrationStatus, Provider
from ai_agents.services.context import AppContext
from ai_agents.services.workspace import agents, integrations

PROVIDER_LABELS = {
    Provider.TELEGRAM_BOT: "Telegram bot",
    Provider.WHATSAPP_DEVICE: "WhatsApp linked device",
    Provider.WHATSAPP_CLOUD: "WhatsApp Cloud API",
    Provider.INSTAGRAM: "Instagram",
}
STATUS_COLORS = {
    IntegrationStatus.CONNECTED: "green",
    IntegrationStatus.STARTING: "blue",
    IntegrationStatus.WAITING_QR: "amber",
    IntegrationStatus.ERROR: "red",
    IntegrationStatus.STOPPED: "gray",
}
STATUS_LABELS = {IntegrationStatus.WAITING_QR: "waiting for QR scan"}


def _rate(value: float | None) -> str:
    return "default" if value is None else f"{value:g}/s"


def integration_row(view: dict[str, Any], agent_names: dict[int, str]) -> dict[str, Any]:
    """One integration as shown: who, what, its state and why; the token masked (as the API shows it)."""
    status = view["status"]
    device = view["provider"] == Provider.WHATSAPP_DEVICE
    rate, per_chat = view["rate_limit_per_second"], view["per_chat_rate_limit_per_second"]
    return {
        "id": view["id"],
        "channel": view["type"],
        "kind": PROVIDER_LABELS.get(view["provider"], view["provider"]),
        "name": view["name"] or view["display_name"] or f"integration {view['id']}",
        "agent": agent_names.get(view["agent_id"], f"agent {view['agent_id']}"),
        "status": STATUS_LABELS.get(status, status),
        "color": STATUS_COLORS.get(status, "gray"),
        "reason": view["credentials_error"] or view["last_error"] or "",
        "enabled": view["is_enabled"],
        "device": device,
        "linked": device and status == IntegrationStatus.CONNECTED,
        "detail": view["token"] or (view["display_name"] if view["display_name"] != view["name"] else "") or "",
        "rates": f"{_rate(rate)} · {_rate(per_chat)} per chat",
        "rate": "" if rate is None else f"{rate:g}",
        "per_chat_rate": "" if per_chat is None else f"{per_chat:g}",
        "webhook": view["webhook_path"] or "",
    }


def integration_rows(ctx: AppContext) -> list[dict[str, Any]]:
    """Every agent's integrations, oldest first, with the agents' names (blocking: run off the loop)."""
    listed, _total = agents.list_agents(ctx, limit=1000)
    names = {agent["id"]: agent["name"] for agent in listed}
    return [integration_row(view, names) for view in integrations.list_integrations(ctx)]
