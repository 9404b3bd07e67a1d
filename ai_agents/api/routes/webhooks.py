"""Channel webhooks (Meta: WhatsApp Cloud API, Instagram): public, but only signed bodies are taken."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse

from ai_agents.api.deps import get_ctx
from ai_agents.api.envelope import ok
from ai_agents.services.context import AppContext

# No API token here: Meta cannot send one. The subscription needs the verify token, every event
# the X-Hub-Signature-256 of the app secret.
router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])


async def _challenge(webhook: str, request: Request, ctx: AppContext) -> PlainTextResponse:
    return PlainTextResponse(await ctx.gateway().subscription_challenge(webhook, dict(request.query_params)))


async def _events(webhook: str, request: Request, ctx: AppContext):
    body = await request.body()
    received = await ctx.gateway().receive_webhook(webhook, body, request.headers.get("x-hub-signature-256"))
    return ok(received, "Webhook received")


@router.get("/whatsapp", summary="WhatsApp Cloud API subscription check (hub.challenge)", response_class=PlainTextResponse)
async def whatsapp_subscription(request: Request, ctx: AppContext = Depends(get_ctx)):
    return await _challenge("whatsapp", request, ctx)


@router.post("/whatsapp", summary="Signed WhatsApp Cloud API events: messages and delivery statuses")
async def whatsapp_events(request: Request, ctx: AppContext = Depends(get_ctx)):
    return await _events("whatsapp", request, ctx)


@router.get("/instagram", summary="Instagram subscription check (hub.challenge)", response_class=PlainTextResponse)
async def instagram_subscription(request: Request, ctx: AppContext = Depends(get_ctx)):
    return await _challenge("instagram", request, ctx)


@router.post("/instagram", summary="Signed Instagram events: direct messages")
async def instagram_events(request: Request, ctx: AppContext = Depends(get_ctx)):
    return await _events("instagram", request, ctx)
