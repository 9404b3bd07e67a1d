"""Credentials of integrations entered again (new token, same bot), and secrets this key cannot read."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field
from sqlmodel import select

from ai_agents.core.errors import Conflict
from ai_agents.crypto import UNREADABLE
from ai_agents.db.models import Agent, Integration
from ai_agents.db.queries import load_integration
from ai_agents.db.session import session_scope
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.validation import StrictInput
from ai_agents.services.workspace.agents import URL_PATTERN
from ai_agents.services.workspace.integrations import get_integration, probe_identity

log = get_logger("integrations")


class IntegrationCredentials(StrictInput):
    """Body of PUT /api/integrations/{id}: a new token for the same bot (e.g. after SECRET_KEY
    changed, or the token was revoked in @BotFather)."""

    token: str = Field(min_length=1, max_length=500, description="Telegram bot token")
    api_base_url: str | None = Field(
        None, max_length=500, pattern=URL_PATTERN, description="Root of a self-hosted Bot API server"
    )


async def replace_credentials(ctx: AppContext, integration_id: int, data: IntegrationCredentials) -> dict[str, Any]:
    """Check the new token belongs to the same bot, store it encrypted, restart the adapter."""

    def with_base_url(stored: dict[str, Any]) -> dict[str, Any]:
        config = dict(stored)
        if "api_base_url" in data.model_fields_set:
            config.pop("api_base_url", None)
            if data.api_base_url:
                config["api_base_url"] = data.api_base_url
        return config

    with session_scope(ctx.engine) as session:
        row = load_integration(session, integration_id)
        provider, config, external_id = row.provider, with_base_url(row.config), row.external_id
    identity = await probe_identity(ctx, provider, {"token": data.token}, config)
    if identity.external_id != external_id:
        raise Conflict(
            f"this token belongs to {identity.display_name} (id {identity.external_id}), not to the bot "
            f"of integration {integration_id} (id {external_id}); connect that bot as a new integration",
            code="DIFFERENT_BOT",
        )
    with session_scope(ctx.engine) as session:
        row = load_integration(session, integration_id)
        row.credentials_encrypted = ctx.box.encrypt(json.dumps({"token": data.token}))
        # re-read: other settings (rate limits) may have changed while the token was checked
        row.config = with_base_url(row.config)
        row.display_name, row.updated_at = identity.display_name, ctx.clock.now()
        enabled = row.is_enabled
    log.info("🔑 Integration %s: credentials entered again (%s)", integration_id, identity.display_name)
    await ctx.gateway().stop(integration_id)
    if enabled:
        await ctx.gateway().start(integration_id)
    return get_integration(ctx, integration_id)


def unreadable_credentials_warning(ctx: AppContext) -> str | None:
    """At start-up: how many agents and integrations hold secrets this SECRET_KEY cannot read."""
    with session_scope(ctx.engine) as session:
        keys = session.exec(select(Agent.api_key_encrypted).where(Agent.api_key_encrypted.is_not(None))).all()
        tokens = session.exec(select(Integration.credentials_encrypted)).all()
    agents = sum(not ctx.box.readable(key)[1] for key in keys)
    bots = sum(not ctx.box.readable(token)[1] for token in tokens)
    if not agents and not bots:
        return None
    return (
        f"{UNREADABLE}: {agents} agent API key(s) and {bots} integration token(s) were encrypted with "
        "another SECRET_KEY; see GET /api/agents?credentials_status=unreadable and "
        "GET /api/integrations?credentials_status=unreadable"
    )
