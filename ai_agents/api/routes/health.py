"""GET /api/health: open to monitors, no token needed."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ai_agents.api.deps import get_ctx
from ai_agents.api.envelope import envelope
from ai_agents.services.context import AppContext
from ai_agents.services.workspace.health import UNHEALTHY, health_report

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", summary="Platform health in the plan's shape")
def health(ctx: AppContext = Depends(get_ctx)):
    report = health_report(ctx)
    if report["status"] == UNHEALTHY:
        return envelope(report, status=503, code="UNHEALTHY", message="database unreachable")
    return envelope(report, message=f"Platform is {report['status']}")
