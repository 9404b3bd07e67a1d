"""Routes for agents and their settings: /api/agents, /api/agents/{id}/settings."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from ai_agents.api.deps import get_ctx, require_token
from ai_agents.api.envelope import ok
from ai_agents.api.params import Id, Offset
from ai_agents.services.agent_settings import AgentSettings
from ai_agents.services.context import AppContext
from ai_agents.services.workspace import agents

router = APIRouter(prefix="/api/agents", tags=["agents"], dependencies=[Depends(require_token)])


@router.post("", status_code=201, summary="Create an agent")
def create_agent(body: agents.AgentCreate, ctx: AppContext = Depends(get_ctx)):
    return ok(agents.create_agent(ctx, body), "Agent created", status=201)


@router.get("", summary="List agents")
def list_agents(
    limit: int = Query(100, ge=1, le=1000),
    offset: Offset = 0,
    is_active: bool | None = None,
    credentials_status: agents.CredentialsStatus | None = Query(
        None, description="`unreadable`: agents whose api_key must be entered again (SECRET_KEY changed)"
    ),
    ctx: AppContext = Depends(get_ctx),
):
    items, total = agents.list_agents(
        ctx, limit=limit, offset=offset, active=is_active, credentials=credentials_status
    )
    return ok(items, meta={"total": total, "limit": limit, "offset": offset})


@router.get("/{agent_id}", summary="Get an agent")
def get_agent(agent_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(agents.get_agent(ctx, agent_id))


@router.put("/{agent_id}", summary="Replace an agent (an omitted api_key is kept)")
def replace_agent(agent_id: Id, body: agents.AgentReplace, ctx: AppContext = Depends(get_ctx)):
    return ok(agents.update_agent(ctx, agent_id, body, partial=False), "Agent updated")


@router.patch("/{agent_id}", summary="Change some fields of an agent")
def patch_agent(agent_id: Id, body: agents.AgentFields, ctx: AppContext = Depends(get_ctx)):
    return ok(agents.update_agent(ctx, agent_id, body, partial=True), "Agent updated")


@router.delete("/{agent_id}", summary="Delete an agent with its integrations and conversations; its bots stop")
async def delete_agent(agent_id: Id, ctx: AppContext = Depends(get_ctx)):
    await agents.delete_agent(ctx, agent_id)
    return ok({"id": agent_id, "deleted": True}, "Agent deleted")


@router.get("/{agent_id}/settings", summary="Get an agent's settings")
def get_settings(agent_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(agents.get_settings(ctx, agent_id))


@router.put("/{agent_id}/settings", summary="Update settings sections (others are kept)")
def put_settings(agent_id: Id, body: AgentSettings, ctx: AppContext = Depends(get_ctx)):
    return ok(agents.update_settings(ctx, agent_id, body), "Settings updated")
