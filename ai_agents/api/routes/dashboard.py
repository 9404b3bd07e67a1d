"""GET /api/dashboard/stats: the numbers the dashboard shows."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ai_agents.api.deps import get_ctx, require_token
from ai_agents.api.envelope import ok
from ai_agents.services.context import AppContext
from ai_agents.services.workspace.dashboard import dashboard_stats

router = APIRouter(prefix="/api/dashboard", tags=["dashboard"], dependencies=[Depends(require_token)])


@router.get("/stats", summary="Messages today, conversations, per channel and per agent")
def stats(ctx: AppContext = Depends(get_ctx)):
    return ok(dashboard_stats(ctx))
