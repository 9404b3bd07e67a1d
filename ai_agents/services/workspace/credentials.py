"""Credentials of integrations entered again (new token, same bot), and secrets this key cannot read."""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field
from sqlmodel import select

from ai_agents.core.errors import Conflict, FieldProblem, ValidationFailed
from ai_agents.core.types import Provider
from ai_agents.crypto import UNREADABLE
from ai_agents.db.models import Agent, Integration
from ai_agents.db.queries import load_integration
from ai_agents.db.session import session_scope
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.validation import StrictInput
from ai_agents.services.workspace.agents import URL_PATTERN
from ai_agents.services.workspace.integration_fields import CREDENTIALS, OPTIONAL_SECRETS, REQUIRED
from ai_agents.services.workspace.integrations import get_integration, probe_identity

log = get_logger("integrations")


class IntegrationCredentials(StrictInput):
    """Body of PUT /api/integrations/{id}: credentials entered again for the same bot, number or
    page (after SECRET_KEY changed, or a token was revoked or expired). Telegram takes `token`;
    WhatsApp Cloud and Instagram take any of `access_token`, `app_secret`, `verify_token` (the
    others are kept, unless the stored ones cannot be read: then every one they need is given)."""

    token: str | None = Field(None, min_length=1, max_length=500, description="Telegram bot token")
    access_token: str | None = Field(None, min_length=1, max_length=1000, description="Meta access token")
    app_secret: str | None = Field(None, min_length=1, max_length=200, description="Meta App Secret")
    verify_token: str | None = Field(None, min_length=1, max_length=200, description="Meta webhook verify token")
    api_base_url: str | None = Field(
        None, max_length=500, pattern=URL_PATTERN, description="Root of the channel's API (self-hosted or a test server)"
    )


def new_credentials(provider: str, stored: dict[str, str] | None, data: IntegrationCredentials) -> dict[str, str]:
    """The integration's credentials with what the body gives; 422 naming the fields that are
    missing (stored ones unreadable) or not used by this provider."""
    needed = {name for name in REQUIRED.get(provider, {}) if name in CREDENTIALS}
    if provider in OPTIONAL_SECRETS:
        needed |= OPTIONAL_SECRETS[provider] & set(stored or {})
    given = {name for name in CREDENTIALS if getattr(data, name) is not None}
    problems = [FieldProblem(name, f"is not used by {provider} integrations; leave it out")
                for name in sorted(given - needed - OPTIONAL_SECRETS.get(provider, set()))]
    if not needed:
        problems.append(FieldProblem("body", f"a {provider} integration has no credentials to enter again"))
    elif not given & needed and not problems:
        problems.append(FieldProblem("body", f"give at least one of: {', '.join(sorted(needed))}"))
    if stored is None:  # unreadable with this SECRET_KEY: nothing to keep, so all are given again
        problems += [FieldProblem(name, "is required: the stored one cannot be read (SECRET_KEY changed)")
                     for name in sorted(needed - given)]
    if problems:
        raise ValidationFailed(problems)
    return {**(stored or {}), **{name: getattr(data, name) for name in given}}


async def replace_credentials(ctx: AppContext, integration_id: int, data: IntegrationCredentials) -> dict[str, Any]:
    """Check the new credentials reach the same bot, number or page, store them encrypted, restart
    the adapter."""

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
        readable, ok = ctx.box.readable(row.credentials_encrypted)
    stored = (json.loads(readable) if readable else {}) if ok else None
    secrets = new_credentials(provider, stored, data)
    identity = await probe_identity(ctx, provider, secrets, config)
    if identity.external_id != external_id:
        raise Conflict(
            f"these credentials belong to {identity.display_name} (id {identity.external_id}), not to the "
            f"account of integration {integration_id} (id {external_id}); connect it as a new integration",
            code="DIFFERENT_BOT" if provider == Provider.TELEGRAM_BOT else "DIFFERENT_ACCOUNT",
        )
    with session_scope(ctx.engine) as session:
        row = load_integration(session, integration_id)
        row.credentials_encrypted = ctx.box.encrypt(json.dumps(secrets))
        # re-read: other settings (rate limits) may have changed while the credentials were checked
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
