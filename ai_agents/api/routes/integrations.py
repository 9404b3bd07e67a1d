"""Routes for channel integrations: connect to an agent, list, start, stop, delete."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query

from ai_agents.api.deps import get_ctx, require_token
from ai_agents.api.envelope import ok
from ai_agents.api.params import Id
from ai_agents.services.context import AppContext
from ai_agents.services.inbound import dead_letters
from ai_agents.services.workspace import credentials, devices, integration_limits, integrations
from ai_agents.services.workspace.agents import CredentialsStatus

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
def all_integrations(
    credentials_status: CredentialsStatus | None = Query(
        None, description="`unreadable`: integrations whose token must be entered again (SECRET_KEY changed)"
    ),
    ctx: AppContext = Depends(get_ctx),
):
    return ok(integrations.list_integrations(ctx, credentials=credentials_status))


@router.get("/integrations/{integration_id}", summary="One integration with live status")
def get_integration(integration_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(integrations.get_integration(ctx, integration_id))


@router.put("/integrations/{integration_id}", summary="Enter the credentials again (same bot, number or page); restarts it")
async def replace_credentials(
    integration_id: Id, body: credentials.IntegrationCredentials, ctx: AppContext = Depends(get_ctx)
):
    view = await credentials.replace_credentials(ctx, integration_id, body)
    return ok(view, "Integration credentials updated")


@router.put("/integrations/{integration_id}/rate_limits", summary="Change the sends a second (all chats, one chat)")
def set_rate_limits(integration_id: Id, body: integration_limits.RateLimits, ctx: AppContext = Depends(get_ctx)):
    return ok(integration_limits.set_rate_limits(ctx, integration_id, body), "Integration rate limits updated")


@router.get("/integrations/{integration_id}/dead_letters", summary="Incoming updates set aside after failing")
def integration_dead_letters(integration_id: Id, ctx: AppContext = Depends(get_ctx)):
    integrations.get_integration(ctx, integration_id)  # 404 for an unknown integration
    return ok(dead_letters.list_dead_letters(ctx, integration_id))


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


@router.get("/integrations/{integration_id}/qr", summary="WhatsApp device: the QR code to scan (or the phone code)")
def device_qr(integration_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(devices.pairing_view(ctx, integration_id))


@router.post("/integrations/{integration_id}/pair", summary="WhatsApp device: link (again) by QR, or by phone code")
async def pair_device(integration_id: Id, body: devices.PairRequest | None = None, ctx: AppContext = Depends(get_ctx)):
    view = await devices.pair(ctx, integration_id, body or devices.PairRequest())
    return ok(view, "Pairing started")


@router.post("/integrations/{integration_id}/disconnect", summary="WhatsApp device: disconnect, keep the session")
async def disconnect_device(integration_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(await devices.disconnect(ctx, integration_id), "Device disconnected")


@router.post("/integrations/{integration_id}/logout", summary="WhatsApp device: unlink and forget the session")
async def logout_device(integration_id: Id, ctx: AppContext = Depends(get_ctx)):
    return ok(await devices.logout(ctx, integration_id), "Device logged out")
