"""Change how fast a connected integration may send: its rates for all chats and for one chat."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ai_agents.core.errors import FieldProblem, ValidationFailed
from ai_agents.db.queries import load_integration
from ai_agents.db.session import session_scope
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.validation import StrictInput
from ai_agents.services.workspace.integrations import get_integration

log = get_logger("integrations")
RATE_FIELDS = ("rate_limit_per_second", "per_chat_rate_limit_per_second")


class RateLimits(StrictInput):
    """Body of PUT /api/integrations/{id}/rate_limits: a number sets a rate, null returns it to the
    channel's default; a field left out keeps its value."""

    rate_limit_per_second: float | None = Field(None, gt=0, le=1000, description="Sends a second, all chats")
    per_chat_rate_limit_per_second: float | None = Field(None, gt=0, le=1000, description="Sends a second to one chat")


def set_rate_limits(ctx: AppContext, integration_id: int, data: RateLimits) -> dict[str, Any]:
    """Store the rates in the integration's config; the outbox reads them at its next claim (no
    restart: the send budget rebuilds a bucket whose rate changed)."""
    given = data.model_fields_set & set(RATE_FIELDS)
    if not given:
        raise ValidationFailed([FieldProblem("body", f"give at least one of: {', '.join(RATE_FIELDS)}")])
    with session_scope(ctx.engine) as session:
        row = load_integration(session, integration_id)
        config = dict(row.config)  # a new dict: the JSON column is saved only when reassigned
        for name in given:
            value = getattr(data, name)
            if value is None:
                config.pop(name, None)
            else:
                config[name] = value
        row.config, row.updated_at = config, ctx.clock.now()
    shown = ", ".join(f"{name}={getattr(data, name) or 'default'}" for name in sorted(given))
    log.info("⚙️ Integration %s rate limits: %s", integration_id, shown)
    return get_integration(ctx, integration_id)
