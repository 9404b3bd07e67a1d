"""Platform health: database reachability and live integration counts, in the plan's shape."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, func
from sqlmodel import select

from ai_agents.core.types import ChannelType, IntegrationStatus
from ai_agents.db.models import Agent, Integration
from ai_agents.db.session import ping, session_scope
from ai_agents.services.context import AppContext

HEALTHY, DEGRADED, UNHEALTHY = "healthy", "degraded", "unhealthy"

# channel -> (key in the report, name of the total, name of the live count)
CHANNEL_COUNTS = {
    ChannelType.WHATSAPP: ("whatsapp", "total_devices", "connected_devices"),
    ChannelType.TELEGRAM: ("telegram", "total_bots", "running_bots"),
    ChannelType.INSTAGRAM: ("instagram", "total_pages", "connected_pages"),
}


def health_report(ctx: AppContext) -> dict[str, Any]:
    """Healthy, degraded (an enabled integration is down) or unhealthy (no database)."""
    backend = ctx.engine.dialect.name
    report: dict[str, Any] = {"status": HEALTHY}
    for key, total_name, live_name in CHANNEL_COUNTS.values():
        report[key] = {total_name: 0, live_name: 0}
    report.update(active_agents=0, total_agents=0)
    if not ping(ctx.engine):
        report["status"] = UNHEALTHY
        report["database"] = {"status": "unreachable", "backend": backend}
        return report
    report["database"] = {"status": "ok", "backend": backend}
    connected = Integration.status == IntegrationStatus.CONNECTED
    with session_scope(ctx.engine) as session:
        rows = session.exec(
            select(
                Integration.channel,
                func.count(),
                func.sum(case((connected, 1), else_=0)),
                func.sum(case((Integration.is_enabled & ~connected, 1), else_=0)),
            )
            .where(Integration.channel.in_(list(CHANNEL_COUNTS)))  # not the agents' try boxes
            .group_by(Integration.channel)
        ).all()
        total_agents, active_agents = session.exec(
            select(func.count(Agent.id), func.sum(case((Agent.is_active, 1), else_=0)))
        ).one()
    down = 0
    for channel, total, live, enabled_down in rows:
        key, total_name, live_name = CHANNEL_COUNTS[ChannelType(channel)]
        report[key] = {total_name: int(total), live_name: int(live or 0)}
        down += int(enabled_down or 0)
    report.update(active_agents=int(active_agents or 0), total_agents=int(total_agents))
    if down:
        report["status"] = DEGRADED
    return report
