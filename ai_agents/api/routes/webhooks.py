"""Channel webhooks (Meta: WhatsApp Cloud API, Instagram): public, but only signed bodies are taken."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse

from ai_agents.api.deps import get_ctx
from ai_agents.api.envelope import ok
from ai_agents.services.context import AppContext

# No API token here: Meta cannot send one. The subscription needs the verify token, every event
# the X-Hub-Signature-256 of the app secret.
router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])
Webhook = Literal["whatsapp", "instagram"]


@router.get("/{webhook}", summary="Meta's webhook subscription check (hub.challenge)", response_class=PlainTextResponse)
async def verify_subscription(webhook: Webhook, request: Request, ctx: AppContext = Depends(get_ctx)):
    challenge = await ctx.gateway().subscription_challenge(webhook, dict(request.query_params))
    return PlainTextResponse(challenge)


@router.post("/{webhook}", summary="Signed events from Meta: messages and delivery statuses")
async def receive_events(webhook: Webhook, request: Request, ctx: AppContext = Depends(get_ctx)):
    body = await request.body()
    received = await ctx.gateway().receive_webhook(webhook, body, request.headers.get("x-hub-signature-256"))
    return ok(received, "Webhook received")
