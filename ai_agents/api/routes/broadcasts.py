"""Broadcast routes under the plan's path: /api/agents/{agent_id}/settings/broadcast."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from ai_agents.api.deps import get_ctx, require_token
from ai_agents.api.envelope import ok
from ai_agents.api.params import Id, Offset
from ai_agents.core.types import OutboxStatus
from ai_agents.services.context import AppContext
from ai_agents.services.outbound import broadcasts

BYTES_PER_CHAT_ID, BYTES_PER_PHONE = 15, 18  # "1234567890", and "+441234567890", in JSON, with a margin


def too_large_advice(max_body_bytes: int) -> str:
    """What to do when a campaign's body is over the API's size limit."""
    chat_ids = max_body_bytes // BYTES_PER_CHAT_ID // 1000 * 1000
    phones = max_body_bytes // BYTES_PER_PHONE // 1000 * 1000
    return (f"one request holds about {chat_ids:,} Telegram chat ids or {phones:,} phone numbers as recipients; "
            "split the list over several campaigns")


router = APIRouter(
    prefix="/api/agents/{agent_id}/settings/broadcast",
    tags=["broadcasts"],
    dependencies=[Depends(require_token)],
)


@router.post("", status_code=201, summary="Create a broadcast (status pending)")
def create(agent_id: Id, body: broadcasts.BroadcastCreate, ctx: AppContext = Depends(get_ctx)):
    return ok(broadcasts.create_broadcast(ctx, agent_id, body), "Broadcast created", status=201)


@router.post("/preview", summary="What a create with this body would do: valid, invalid and opted-out recipients")
def preview(agent_id: Id, body: broadcasts.BroadcastCreate, ctx: AppContext = Depends(get_ctx)):
    return ok(broadcasts.preview_broadcast(ctx, agent_id, body))


@router.get("", summary="The agent's broadcasts, newest first")
def list_all(agent_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(broadcasts.list_broadcasts(ctx, agent_id))


@router.get("/{broadcast_id}", summary="Status and counts")
def status(agent_id: Id, broadcast_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(broadcasts.get_broadcast(ctx, agent_id, broadcast_id))


@router.get("/{broadcast_id}/recipients", summary="Each recipient's status and error")
def recipients(
    agent_id: Id,
    broadcast_id: Id,
    limit: int = Query(500, ge=1, le=5000),
    offset: Offset = 0,
    status: OutboxStatus | None = Query(None, description="Only these, e.g. failed or skipped"),
    ctx: AppContext = Depends(get_ctx),
):
    return ok(broadcasts.list_recipients(ctx, agent_id, broadcast_id, limit=limit, offset=offset, status=status))


@router.post("/{broadcast_id}/cancel", summary="Stop what has not been sent")
def cancel(agent_id: Id, broadcast_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(broadcasts.cancel_broadcast(ctx, agent_id, broadcast_id), "Broadcast cancelled")
