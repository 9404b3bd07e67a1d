"""Alert routes: the list (filters, pagination) and acknowledging one."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from ai_agents.api.deps import get_ctx, require_token
from ai_agents.api.envelope import ok
from ai_agents.api.params import Id, IdFilter, Offset
from ai_agents.core.types import AlertKind
from ai_agents.services.context import AppContext
from ai_agents.services.workspace import alerts

router = APIRouter(prefix="/api/alerts", tags=["alerts"], dependencies=[Depends(require_token)])


@router.get("", summary="Alerts, newest first")
def list_alerts(
    kind: AlertKind | None = None,
    acknowledged: bool | None = None,
    agent_id: IdFilter = None,
    conversation_id: IdFilter = None,
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
    ctx: AppContext = Depends(get_ctx),
):
    items, total = alerts.list_alerts(
        ctx, kind=kind, acknowledged=acknowledged, agent_id=agent_id,
        conversation_id=conversation_id, limit=limit, offset=offset,
    )
    return ok(items, meta={"total": total, "limit": limit, "offset": offset})


@router.post("/{alert_id}/acknowledge", summary="Mark an alert as seen (again: no change)")
def acknowledge(alert_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(alerts.acknowledge_alert(ctx, alert_id), "Alert acknowledged")
