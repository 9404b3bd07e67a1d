"""Linked devices people pair and unpair: the QR code (payload and image), phone codes, disconnect, logout."""

from __future__ import annotations

from typing import Any

import segno
from pydantic import Field

from ai_agents.core.errors import Conflict, FieldProblem, ValidationFailed
from ai_agents.core.types import IntegrationStatus, Provider
from ai_agents.db.models import Integration
from ai_agents.db.queries import load_integration
from ai_agents.db.session import run_db, session_scope
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.ports import Pairing, PairingRefused
from ai_agents.services.validation import StrictInput
from ai_agents.services.workspace.integration_fields import e164_phone
from ai_agents.services.workspace.integrations import record_status

log = get_logger("devices")

HOW_TO_SCAN = "On the phone: WhatsApp > Settings > Linked devices > Link a device, then scan this code."
HOW_TO_TYPE = "On the phone: WhatsApp > Settings > Linked devices > Link a device > Link with phone number instead, then type this code."
DISCONNECTED = "disconnected by a person; the session is kept: POST /api/integrations/{id}/start reconnects without a new QR code"
PAIRING_EVENT = "integration_pairing"  # live event: a device's QR code rotated, a phone code came, ...
LOGGED_OUT = "logged out; the session is forgotten: POST /api/integrations/{id}/pair to link a device again"


class PairRequest(StrictInput):
    """Body of POST /api/integrations/{id}/pair (optional)."""

    phone: str | None = Field(None, max_length=32, description="Link by a code typed on this phone (E.164) instead of a QR")


def _device(session, integration_id: int) -> Integration:
    row = load_integration(session, integration_id)
    if row.provider != Provider.WHATSAPP_DEVICE:
        raise ValidationFailed([FieldProblem(
            "integration_id", f"integration {integration_id} is a {row.provider} integration; only WhatsApp linked devices pair"
        )])
    return row


def pairing_view(ctx: AppContext, integration_id: int) -> dict[str, Any]:
    """The device's state and, while it is being linked, the current QR code (payload and SVG image,
    it rotates about every 20 s) or the code to type on the phone."""
    with session_scope(ctx.engine) as session:
        row = _device(session, integration_id)
        state = {"status": row.status, "last_error": row.last_error, "jid": row.jid, "device_id": row.device_id,
                 "phone_number": row.external_id}
    pairing = ctx.channels.pairing(integration_id) if ctx.channels else None
    return _view(integration_id, state, pairing)


def pairing_changed(ctx: AppContext, integration_id: int) -> None:
    """Tell live views (the Integrations page) that the device's pairing changed: they read
    `pairing_view` again. The event carries no code: the QR payload is read only by who may."""
    ctx.live.publish(PAIRING_EVENT, integration_id=integration_id)


def _view(integration_id: int, state: dict[str, Any], pairing: Pairing | None) -> dict[str, Any]:
    qr = pairing.qr if pairing else None
    image = segno.make_qr(qr, error="l") if qr else None
    instructions = None
    if pairing and pairing.pair_code:
        instructions = HOW_TO_TYPE
    elif qr:
        instructions = HOW_TO_SCAN
    return {
        "integration_id": integration_id,
        **state,
        "connected": state["status"] == IntegrationStatus.CONNECTED,
        "qr": qr,
        "qr_svg": image.svg_inline(scale=4, border=2) if image else None,
        "qr_image": image.svg_data_uri(scale=4, border=2) if image else None,
        "qr_updated_at": pairing.qr_at if pairing else None,
        "pair_phone": pairing.phone if pairing else None,
        "pair_code": pairing.pair_code if pairing else None,
        "pairing_error": pairing.error if pairing else None,
        "instructions": instructions,
    }


async def pair(ctx: AppContext, integration_id: int, data: PairRequest) -> dict[str, Any]:
    """Start (or restart) linking: a QR code, or with a phone number a code to type on it. The
    device is enabled and started if it was not; a linked, connected device must log out first."""
    phone = e164_phone(data.phone) if data.phone is not None else None

    def enable() -> None:
        with session_scope(ctx.engine) as session:
            row = _device(session, integration_id)
            row.is_enabled, row.updated_at = True, ctx.clock.now()
            config = {k: v for k, v in row.config.items() if k != "pair_phone"}  # no phone: a QR code
            row.config = {**config, "pair_phone": phone} if phone else config

    await run_db(ctx.engine, enable)
    gateway = ctx.gateway()
    await gateway.start(integration_id)
    try:
        await gateway.pair(integration_id, phone)
    except PairingRefused as exc:
        raise Conflict(str(exc), code="PAIRING_REFUSED") from None
    log.info("📱 Pairing of WhatsApp device %s started (%s)", integration_id, "phone code" if phone else "QR code")
    return await run_db(ctx.engine, pairing_view, ctx, integration_id)


async def disconnect(ctx: AppContext, integration_id: int) -> dict[str, Any]:
    """Close the connection but keep the session (and the integration enabled): `start` reconnects
    without a new QR code. Health counts it as a device that is down."""
    await run_db(ctx.engine, _check_device, ctx, integration_id)
    await ctx.gateway().stop(integration_id)
    reason = DISCONNECTED.format(id=integration_id)
    await run_db(ctx.engine, record_status, ctx, integration_id, IntegrationStatus.STOPPED, reason)
    log.info("🔌 WhatsApp device %s disconnected (session kept)", integration_id)
    return await run_db(ctx.engine, pairing_view, ctx, integration_id)


async def logout(ctx: AppContext, integration_id: int) -> dict[str, Any]:
    """Unlink the device (on WhatsApp's side when it is connected), forget its session and disable
    it; `pair` links a device again."""
    await run_db(ctx.engine, _check_device, ctx, integration_id)
    await ctx.gateway().logout(integration_id)

    def disable() -> None:
        with session_scope(ctx.engine) as session:
            row = _device(session, integration_id)
            row.is_enabled, row.updated_at = False, ctx.clock.now()

    await run_db(ctx.engine, disable)
    await run_db(ctx.engine, record_status, ctx, integration_id, IntegrationStatus.STOPPED, LOGGED_OUT.format(id=integration_id))
    log.info("👋 WhatsApp device %s logged out (session forgotten)", integration_id)
    return await run_db(ctx.engine, pairing_view, ctx, integration_id)


def _check_device(ctx: AppContext, integration_id: int) -> None:
    with session_scope(ctx.engine) as session:
        _device(session, integration_id)
