"""Routes for channel integrations: connect to an agent, list, start, stop, delete."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ai_agents.api.deps import get_ctx, require_token
from ai_agents.api.envelope import ok
from ai_agents.api.params import Id
from ai_agents.services import integrations
from ai_agents.services.context import AppContext

router = APIRouter(prefix="/api", tags=["integrations"], dependencies=[Depends(require_token)])


@router.post("/agents/{agent_id}/integrations", status_code=201, summary="Connect a channel to an agent")
async def create_integration(
    agent_id: Id, body: integrations.IntegrationCreate, ctx: AppContext = Depends(get_ctx)
):
    view = await integrations.create_integration(ctx, agent_id, body)
    return ok(view, "Integration connected", status=201)


@router.get("/agents/{agent_id}/integrations", summary="An agent's integrations")
def agent_integrations(agent_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(integrations.list_integrations(ctx, agent_id))


@router.get("/integrations", summary="All integrations with live status")
def all_integrations(ctx: AppContext = Depends(get_ctx)):
    return ok(integrations.list_integrations(ctx))


@router.get("/integrations/{integration_id}", summary="One integration with live status")
def get_integration(integration_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(integrations.get_integration(ctx, integration_id))


@router.post("/integrations/{integration_id}/start", summary="Start (and keep enabled)")
async def start_integration(integration_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(await integrations.set_enabled(ctx, integration_id, True), "Integration started")


@router.post("/integrations/{integration_id}/stop", summary="Stop (and keep disabled)")
async def stop_integration(integration_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(await integrations.set_enabled(ctx, integration_id, False), "Integration stopped")


@router.delete("/integrations/{integration_id}", summary="Stop and delete an integration")
async def delete_integration(integration_id: Id, ctx: AppContext = Depends(get_ctx)):
    await integrations.delete_integration(ctx, integration_id)
    return ok({"id": integration_id, "deleted": True}, "Integration deleted")
