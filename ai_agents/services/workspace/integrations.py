"""Integrations: connect a channel to an agent (credentials checked and encrypted), start, stop."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import Field
from sqlmodel import Session, select

from ai_agents.core.errors import ChannelError, Conflict, FieldProblem, ValidationFailed
from ai_agents.core.types import PROVIDER_CHANNEL, ChannelType, IntegrationStatus, Provider
from ai_agents.crypto import UNREADABLE, SecretBox, UnreadableSecret, mask_secret
from ai_agents.db.models import Integration
from ai_agents.db.queries import delete_integrations, load_agent, load_integration
from ai_agents.db.session import run_db, session_scope, transaction_retrying
from ai_agents.logs import get_logger, redact
from ai_agents.services.context import AppContext
from ai_agents.services.ports import AdapterSpec, CredentialsError, Identity, LinkedIdentity
from ai_agents.services.validation import StrictInput
from ai_agents.services.workspace.integration_fields import WEBHOOK_PATHS, check_fields, shown_token, split_fields
from ai_agents.services.workspace.agents import URL_PATTERN, CredentialsStatus, credentials_status

log = get_logger("integrations")

AVAILABLE_PROVIDERS = {  # the body's type -> provider
    ChannelType.TELEGRAM: Provider.TELEGRAM_BOT,
    ChannelType.WHATSAPP: Provider.WHATSAPP_DEVICE,
    "whatsapp_cloud": Provider.WHATSAPP_CLOUD,
    ChannelType.INSTAGRAM: Provider.INSTAGRAM,
}
TOKEN_UNREADABLE = f"{UNREADABLE}: connect the bot again with PUT /api/integrations/{{id}} and its token"
ACCOUNT_ID = r"^\d{1,30}$"


class IntegrationCreate(StrictInput):
    """Body of POST /api/agents/{id}/integrations."""

    type: Literal["telegram", "whatsapp", "whatsapp_cloud", "instagram"] = Field(
        description="The channel: telegram, whatsapp (linked device), whatsapp_cloud (Meta Cloud API), instagram"
    )
    token: str | None = Field(None, min_length=1, max_length=500, description="Telegram bot token")
    phone_number_id: str | None = Field(None, pattern=ACCOUNT_ID, description="WhatsApp Cloud API: Phone number ID")
    page_id: str | None = Field(None, pattern=ACCOUNT_ID, description="Instagram: id of the linked Facebook Page")
    access_token: str | None = Field(None, min_length=1, max_length=1000, description="Meta access token")
    app_secret: str | None = Field(
        None, min_length=1, max_length=200, description="Meta App Secret (Instagram default: INSTAGRAM_APP_SECRET)"
    )
    verify_token: str | None = Field(
        None, min_length=1, max_length=200, description="Webhook verify token (Instagram default: INSTAGRAM_VERIFY_TOKEN)"
    )
    api_base_url: str | None = Field(
        None, max_length=500, pattern=URL_PATTERN, description="Root of a self-hosted Bot API server, or of the Graph API"
    )
    name: str = Field("", max_length=200)
    rate_limit_per_second: float | None = Field(None, gt=0, le=1000, description="Sends a second, all chats")
    per_chat_rate_limit_per_second: float | None = Field(None, gt=0, le=1000, description="Sends a second to one chat")
    phone: str | None = Field(
        None, max_length=32, description="WhatsApp device: link by a code typed on this phone (E.164) instead of a QR"
    )
    is_enabled: bool = True


def _provider_for(data: IntegrationCreate) -> Provider:
    provider = AVAILABLE_PROVIDERS.get(data.type)
    if provider is None:
        supported = ", ".join(AVAILABLE_PROVIDERS)
        raise ValidationFailed(
            [FieldProblem("type", f"{data.type} integrations are not available yet; supported: {supported}")]
        )
    check_fields(provider, data)
    return provider


def credentials_of(row: Integration, box: SecretBox) -> dict[str, str]:
    """The decrypted credentials; UnreadableSecret when SECRET_KEY changed since they were saved."""
    return json.loads(box.decrypt(row.credentials_encrypted)) if row.credentials_encrypted else {}


def spec_of(row: Integration, box: SecretBox) -> AdapterSpec:
    """What the adapter of this integration needs to run."""
    return AdapterSpec(row.id, row.provider, credentials_of(row, box), dict(row.config), device_id=row.device_id)


def runnable_spec(ctx: AppContext, integration_id: int) -> AdapterSpec | None:
    """The spec to start the integration with; None when it was deleted. An unreadable token is
    recorded as the integration's error (not started) and raised as UnreadableSecret."""
    with session_scope(ctx.engine) as session:
        row = session.get(Integration, integration_id)
        if row is None:
            return None
        try:
            return spec_of(row, ctx.box)
        except UnreadableSecret:
            pass
    record_status(ctx, integration_id, IntegrationStatus.ERROR, TOKEN_UNREADABLE.format(id=integration_id))
    raise UnreadableSecret(TOKEN_UNREADABLE.format(id=integration_id))


def _readable_credentials(row: Integration, box: SecretBox) -> tuple[dict[str, str], bool]:
    try:
        return credentials_of(row, box), True
    except UnreadableSecret:
        return {}, False


def integration_view(row: Integration, ctx: AppContext) -> dict[str, Any]:
    """Public shape: status and identity, never the credentials; an unreadable token says so."""
    running = ctx.channels.is_running(row.id) if ctx.channels else False
    credentials, readable = _readable_credentials(row, ctx.box)
    return {
        "id": row.id,
        "agent_id": row.agent_id,
        "type": row.channel,
        "provider": row.provider,
        "name": row.name or row.display_name,
        "display_name": row.display_name,
        "external_id": row.external_id,
        "jid": row.jid,
        "device_id": row.device_id,
        "is_enabled": row.is_enabled,
        "status": row.status,
        "connected": row.status == IntegrationStatus.CONNECTED,
        "running": running,
        "last_error": row.last_error,
        "token": mask_secret(shown_token(credentials)),
        "credentials_status": credentials_status(readable, shown_token(credentials)),
        "credentials_error": None if readable else TOKEN_UNREADABLE.format(id=row.id),
        "api_base_url": row.config.get("api_base_url"),
        "rate_limit_per_second": row.config.get("rate_limit_per_second"),
        "per_chat_rate_limit_per_second": row.config.get("per_chat_rate_limit_per_second"),
        "webhook_path": WEBHOOK_PATHS.get(row.provider),
        "connected_at": row.connected_at,
        "status_changed_at": row.status_changed_at,
        "created_at": row.created_at,
    }


async def create_integration(ctx: AppContext, agent_id: int, data: IntegrationCreate) -> dict[str, Any]:
    """Check the credentials with the channel, store them encrypted, start the adapter (the database
    work in worker threads: the UI's handlers call this on the loop that serves every browser)."""
    provider = _provider_for(data)
    await run_db(ctx.engine, _check_agent, ctx, agent_id)
    credentials, config = split_fields(data)
    identity = await probe_identity(ctx, provider, credentials, config)
    config.update(identity.config)
    integration_id = await run_db(ctx.engine, _insert, ctx, agent_id, data, provider, credentials, config, identity)
    log.info("✅ Integration connected: %s %s for agent %s", data.type, identity.display_name, agent_id)
    if data.is_enabled:
        await ctx.gateway().start(integration_id)
    return await run_db(ctx.engine, get_integration, ctx, integration_id)


def _check_agent(ctx: AppContext, agent_id: int) -> None:
    with session_scope(ctx.engine) as session:
        load_agent(session, agent_id)


def _insert(
    ctx: AppContext, agent_id: int, data: IntegrationCreate, provider: Provider, credentials: dict[str, str],
    config: dict[str, Any], identity: Identity,
) -> int:
    """The new row, unless the channel's account is connected already (409)."""
    now = ctx.clock.now()
    with session_scope(ctx.engine) as session:
        duplicate = identity.external_id and session.exec(  # a device to link has no identity yet
            select(Integration).where(
                Integration.provider == provider, Integration.external_id == identity.external_id
            )
        ).first()
        if duplicate:
            raise Conflict(
                f"{identity.display_name} is already connected as integration {duplicate.id} "
                f"(agent {duplicate.agent_id}); a bot can serve one agent",
                code="INTEGRATION_EXISTS",
            )
        row = Integration(
            agent_id=agent_id,
            channel=PROVIDER_CHANNEL[provider],
            provider=provider,
            name=data.name,
            is_enabled=data.is_enabled,
            credentials_encrypted=ctx.box.encrypt(json.dumps(credentials)),
            config=config,
            external_id=identity.external_id or None,
            display_name=identity.display_name,
            created_at=now,
            updated_at=now,
        )
        session.add(row)
        session.flush()
        return row.id


def get_integration(ctx: AppContext, integration_id: int) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        return integration_view(load_integration(session, integration_id), ctx)


def list_integrations(
    ctx: AppContext, agent_id: int | None = None, credentials: CredentialsStatus | None = None
) -> list[dict[str, Any]]:
    """Integrations, of one agent or all; `credentials="unreadable"` lists those whose token must
    be entered again."""
    with session_scope(ctx.engine) as session:
        if agent_id is not None:
            load_agent(session, agent_id)
        # The agents' try boxes are no channel a person connects: not listed (see playground.py).
        query = select(Integration).where(Integration.provider != Provider.PLAYGROUND).order_by(Integration.id)
        if agent_id is not None:
            query = query.where(Integration.agent_id == agent_id)
        views = [integration_view(row, ctx) for row in session.exec(query)]
    return [view for view in views if credentials is None or view["credentials_status"] == credentials]


def enabled_integration_ids(ctx: AppContext) -> list[int]:
    with session_scope(ctx.engine) as session:
        return list(session.exec(select(Integration.id).where(Integration.is_enabled)))


async def set_enabled(ctx: AppContext, integration_id: int, enabled: bool) -> dict[str, Any]:
    """Start (enabled) or stop (disabled) an integration; the choice survives restarts."""

    def record_choice() -> None:
        with session_scope(ctx.engine) as session:
            row = load_integration(session, integration_id)
            row.is_enabled = enabled
            row.updated_at = ctx.clock.now()

    await run_db(ctx.engine, record_choice)
    if enabled:
        await ctx.gateway().start(integration_id)
    else:
        await ctx.gateway().stop(integration_id)
    return await run_db(ctx.engine, get_integration, ctx, integration_id)


async def delete_integration(ctx: AppContext, integration_id: int) -> None:
    """Delete the row, then stop the adapter and forget it everywhere (see ChannelManager.remove)."""

    def delete_row(session: Session) -> None:
        delete_integrations(session, [load_integration(session, integration_id).id])

    await run_db(ctx.engine, transaction_retrying, ctx.engine, delete_row)
    if ctx.channels is not None:
        await ctx.channels.remove(integration_id)
    log.info("🗑️ Integration %s deleted", integration_id)


async def probe_identity(
    ctx: AppContext, provider: str, credentials: dict[str, str], config: dict[str, Any]
) -> Identity:
    """Who the credentials belong to, as the channel says; a refusal is a 400 without the secret."""
    try:
        return await ctx.gateway().probe(provider, credentials, config)
    except CredentialsError as exc:
        raise ChannelError(redact(str(exc)), code="INVALID_CREDENTIALS") from None


def record_status(ctx: AppContext, integration_id: int, status: IntegrationStatus, error: str | None) -> None:
    """Persist what an adapter reports, so health and every process see it."""
    now = ctx.clock.now()
    with session_scope(ctx.engine) as session:
        row = session.get(Integration, integration_id)
        if row is None:
            return
        error = redact(error) if error else error
        row.status, row.last_error, row.status_changed_at = status, error, now
        if status == IntegrationStatus.CONNECTED:
            row.connected_at = now
    ctx.live.publish("integration_status", integration_id=integration_id, status=status, error=error)


def record_identity(ctx: AppContext, integration_id: int, identity: LinkedIdentity) -> None:
    """Persist who a linked device is (its device id always; number and JID when known), so
    routing finds it by DeviceID or JID and a restart resumes its session."""
    with session_scope(ctx.engine) as session:
        row = session.get(Integration, integration_id)
        if row is None:
            return
        row.device_id = identity.device_id
        row.jid = identity.jid or row.jid
        row.external_id = identity.external_id or row.external_id
        row.display_name = identity.display_name or row.display_name
        row.updated_at = ctx.clock.now()
    ctx.live.publish("integration_identity", integration_id=integration_id, device_id=identity.device_id)
