"""Agents: create, read, update, delete; API keys encrypted at rest and shown masked."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from sqlmodel import Session, func, select

from ai_agents.core.errors import FieldProblem, ValidationFailed
from ai_agents.crypto import UNREADABLE, mask_secret
from ai_agents.db.models import Agent, Integration
from ai_agents.db.queries import delete_integrations, load_agent
from ai_agents.db.session import run_db, session_scope, transaction_retrying
from ai_agents.logs import get_logger
from ai_agents.services.agent_settings import LANGUAGE_CODE, AgentSettings, merge, settings_of
from ai_agents.services.context import AppContext
from ai_agents.services.llm_access import default_key_applies, same_url
from ai_agents.services.validation import StrictInput

log = get_logger("agents")

URL_PATTERN = r"^https?://[^\s/$.?#][^\s]*$"
CredentialsStatus = Literal["ok", "missing", "unreadable"]


class AgentFields(StrictInput):
    """Editable fields of an agent; every one optional (PATCH)."""

    name: str | None = Field(None, min_length=1, max_length=200)
    model: str | None = Field(None, min_length=1, max_length=200, examples=["gpt-4o-mini"])
    api_key: str | None = Field(None, max_length=500, description="Write-only; shown masked")
    base_url: str | None = Field(
        None, max_length=500, pattern=URL_PATTERN, description="OpenAI-compatible endpoint"
    )
    system_prompt: str | None = Field(None, max_length=100_000)
    temperature: float | None = Field(None, ge=0, le=2)
    language: str | None = Field(None, pattern=LANGUAGE_CODE, description="Agent's language")
    is_active: bool | None = None
    keep_api_key: bool | None = Field(
        None, description="With a new base_url and no api_key: send the stored key to the new host"
    )


class AgentCreate(AgentFields):
    """Body of POST /api/agents: the plan's fields plus base_url, temperature, language."""

    name: str = Field(min_length=1, max_length=200, examples=["Support Agent 1"])
    system_prompt: str = Field("", max_length=100_000)
    is_active: bool = True
    settings: AgentSettings | None = None


class AgentReplace(AgentCreate):
    """Body of PUT /api/agents/{id}: the whole agent; an omitted api_key keeps the stored one."""


def credentials_status(readable: bool, key: str | None) -> CredentialsStatus:
    return "unreadable" if not readable else "ok" if key else "missing"


def agent_view(agent: Agent, ctx: AppContext) -> dict[str, Any]:
    """The public shape of an agent: never the whole key; an unreadable key says so."""
    key, readable = ctx.box.readable(agent.api_key_encrypted)
    return {
        "id": agent.id,
        "name": agent.name,
        "model": agent.model,
        "api_key": mask_secret(key),
        "has_api_key": agent.api_key_encrypted is not None,
        "credentials_status": credentials_status(readable, key),
        "credentials_error": None if readable else f"{UNREADABLE} (api_key)",
        "uses_default_api_key": agent.api_key_encrypted is None and default_key_applies(ctx.settings, agent.base_url),
        "base_url": agent.base_url,
        "system_prompt": agent.system_prompt,
        "temperature": agent.temperature,
        "language": agent.language,
        "is_active": agent.is_active,
        "settings": settings_of(agent.settings).model_dump(mode="json"),
        "created_at": agent.created_at,
        "updated_at": agent.updated_at,
    }


NOT_NULLABLE = ("name", "model", "language", "is_active", "system_prompt")
WRITE_ONLY = {"api_key", "keep_api_key"}


def _check_key_follows_base_url(agent: Agent, fields: AgentFields, names: set[str]) -> None:
    """A stored key goes to a new host only when the request says so: the key again, or
    keep_api_key: true. Otherwise changing base_url would hand the key to whoever runs it."""
    if "base_url" not in names or same_url(fields.base_url, agent.base_url) or agent.api_key_encrypted is None:
        return
    if "api_key" in fields.model_fields_set or fields.keep_api_key:
        return
    new = fields.base_url or "the default endpoint"
    reason = (
        f"is required when base_url changes (to {new}): the stored key would be sent to the new host; "
        'send the key for that endpoint in the same request, or "keep_api_key": true to send the stored one'
    )
    raise ValidationFailed([FieldProblem("api_key", reason)])


def _apply(agent: Agent, fields: AgentFields, ctx: AppContext, *, partial: bool) -> None:
    """Copy the fields onto the agent: only those sent (PATCH) or all of them (PUT)."""
    names = fields.model_fields_set if partial else set(AgentFields.model_fields)
    nulls = [n for n in NOT_NULLABLE if n in names and getattr(fields, n) is None]
    if partial and nulls:
        raise ValidationFailed([FieldProblem(n, "cannot be null") for n in nulls])
    _check_key_follows_base_url(agent, fields, names)
    values = fields.model_dump(include=names - WRITE_ONLY)
    if not partial:
        values["model"] = fields.model or ctx.settings.default_model
        values["language"] = fields.language or "en"
    for name, value in values.items():
        setattr(agent, name, value)
    if "api_key" in fields.model_fields_set:
        agent.api_key_encrypted = ctx.box.encrypt(fields.api_key) if fields.api_key else None
    agent.updated_at = ctx.clock.now()


def create_agent(ctx: AppContext, data: AgentCreate) -> dict[str, Any]:
    settings = merge(None, data.settings) if data.settings else AgentSettings()
    agent = Agent(
        name=data.name,
        model=data.model or ctx.settings.default_model,
        base_url=data.base_url,
        system_prompt=data.system_prompt,
        temperature=data.temperature,
        language=data.language or "en",
        is_active=data.is_active,
        settings=settings.model_dump(mode="json"),
        created_at=ctx.clock.now(),
        updated_at=ctx.clock.now(),
    )
    if data.api_key:
        agent.api_key_encrypted = ctx.box.encrypt(data.api_key)
    with session_scope(ctx.engine) as session:
        session.add(agent)
        session.flush()
        view = agent_view(agent, ctx)
    log.info("✅ Agent created: %s", agent.name)
    return view


def get_agent(ctx: AppContext, agent_id: int) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        return agent_view(load_agent(session, agent_id), ctx)


def list_agents(
    ctx: AppContext, *, limit: int = 100, offset: int = 0, active: bool | None = None,
    credentials: CredentialsStatus | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """A page of agents; `credentials="unreadable"` lists those whose key must be entered again."""
    with session_scope(ctx.engine) as session:
        query = select(Agent).order_by(Agent.id)
        if active is not None:
            query = query.where(Agent.is_active == active)
        if credentials is not None:  # only decryption tells which keys are unreadable
            views = [agent_view(agent, ctx) for agent in session.exec(query)]
            views = [view for view in views if view["credentials_status"] == credentials]
            return views[offset : offset + limit], len(views)
        count = select(func.count()).select_from(query.order_by(None).subquery())
        rows = session.exec(query.offset(offset).limit(limit)).all()
        return [agent_view(a, ctx) for a in rows], session.exec(count).one()


def update_agent(ctx: AppContext, agent_id: int, data: AgentFields, *, partial: bool) -> dict:
    with session_scope(ctx.engine) as session:
        agent = load_agent(session, agent_id)
        if isinstance(data, AgentCreate) and data.settings is not None:
            agent.settings = merge(agent.settings, data.settings).model_dump(mode="json")
        _apply(agent, data, ctx, partial=partial)
        session.add(agent)
        session.flush()
        log.info("✅ Agent updated: %s", agent.name)
        return agent_view(agent, ctx)


async def delete_agent(ctx: AppContext, agent_id: int) -> None:
    """Delete the agent with its integrations, conversations and campaigns, and stop its bots.
    The rows go first: an adapter started meanwhile finds no row, and remove() then stops it."""

    def delete_rows(session: Session) -> tuple[str, list[int]]:
        agent = load_agent(session, agent_id)
        ids = list(session.exec(select(Integration.id).where(Integration.agent_id == agent_id)))
        delete_integrations(session, ids)
        session.delete(agent)
        return agent.name, ids

    name, integration_ids = await run_db(ctx.engine, transaction_retrying, ctx.engine, delete_rows)
    if ctx.channels is not None:
        for integration_id in integration_ids:
            await ctx.channels.remove(integration_id)
    log.info("🗑️ Agent deleted: %s (integrations stopped and removed: %s)", name, len(integration_ids))


def get_settings(ctx: AppContext, agent_id: int) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        return settings_of(load_agent(session, agent_id).settings).model_dump(mode="json")


def update_settings(ctx: AppContext, agent_id: int, update: AgentSettings) -> dict[str, Any]:
    """Merge the sections sent into the stored settings; return the full settings."""
    with session_scope(ctx.engine) as session:
        agent = load_agent(session, agent_id)
        merged = merge(agent.settings, update).model_dump(mode="json")
        agent.settings = merged
        agent.updated_at = ctx.clock.now()
        session.add(agent)
    sections = ", ".join(sorted(update.model_fields_set)) or "no sections"
    log.info("✅ Agent settings updated: %s (%s)", agent.name, sections)
    return merged

