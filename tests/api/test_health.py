"""Health API: the plan's shape, degraded when an enabled integration is down, unhealthy without DB."""

from __future__ import annotations

from sqlalchemy import create_engine

from ai_agents.core.types import ChannelType, IntegrationStatus, Provider
from ai_agents.db.models import Agent, Integration
from ai_agents.db.session import session_scope


def add_integrations(ctx, specs):
    with session_scope(ctx.engine) as session:
        agents = [Agent(name=f"A{i}", model="m", is_active=i < 3) for i in range(5)]
        session.add_all(agents)
        session.flush()
        for provider, status, enabled in specs:
            session.add(
                Integration(
                    agent_id=agents[0].id,
                    channel=ChannelType.WHATSAPP if "whatsapp" in provider else ChannelType.TELEGRAM,
                    provider=provider,
                    status=status,
                    is_enabled=enabled,
                )
            )


async def test_empty_platform_is_healthy_in_plan_shape(api):
    body = (await api.get("/api/health")).json()
    assert body["status"] == 200 and body["code"] == "SUCCESS"
    results = body["results"]
    assert results["status"] == "healthy"
    assert results["whatsapp"] == {"total_devices": 0, "connected_devices": 0}
    assert results["telegram"] == {"total_bots": 0, "running_bots": 0}
    assert results["instagram"] == {"total_pages": 0, "connected_pages": 0}
    assert results["active_agents"] == 0 and results["total_agents"] == 0
    assert results["database"]["status"] == "ok"


async def test_plan_example_counts_and_degraded(api, ctx):
    connected, error = IntegrationStatus.CONNECTED, IntegrationStatus.ERROR
    add_integrations(
        ctx,
        [
            (Provider.WHATSAPP_DEVICE, connected, True),
            (Provider.WHATSAPP_DEVICE, connected, True),
            (Provider.WHATSAPP_DEVICE, error, True),
            (Provider.TELEGRAM_BOT, connected, True),
            (Provider.TELEGRAM_BOT, connected, True),
        ],
    )
    results = (await api.get("/api/health")).json()["results"]
    assert results["whatsapp"] == {"total_devices": 3, "connected_devices": 2}
    assert results["telegram"] == {"total_bots": 2, "running_bots": 2}
    assert results["active_agents"] == 3 and results["total_agents"] == 5
    assert results["status"] == "degraded"


async def test_stopped_by_a_person_lowers_count_but_is_not_degraded(api, ctx):
    add_integrations(
        ctx,
        [
            (Provider.TELEGRAM_BOT, IntegrationStatus.CONNECTED, True),
            (Provider.TELEGRAM_BOT, IntegrationStatus.STOPPED, False),
        ],
    )
    results = (await api.get("/api/health")).json()["results"]
    assert results["telegram"] == {"total_bots": 2, "running_bots": 1}
    assert results["status"] == "healthy"


async def test_unreachable_database_is_unhealthy_503(api, ctx):
    working = ctx.engine
    ctx.engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none", pool_pre_ping=False)
    try:
        response = await api.get("/api/health")
    finally:
        ctx.engine = working
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "UNHEALTHY" and body["results"]["status"] == "unhealthy"
    assert body["results"]["database"]["status"] == "unreachable"
