"""Inbound updates that failed every time: kept with their error, an alert raised, then skipped."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from ai_agents.core.types import AlertKind
from ai_agents.db.models import Alert, DeadLetter, Integration
from ai_agents.db.session import session_scope
from ai_agents.logs import get_logger, redact
from ai_agents.services.context import AppContext
from ai_agents.services.ports import FailedUpdate

log = get_logger("dead_letters")


def record_dead_letter(ctx: AppContext, failed: FailedUpdate) -> int | None:
    """Store the update and raise an alert on its integration; returns the dead letter's id
    (None when the integration no longer exists: nothing is left to keep it for)."""
    error = redact(failed.error)
    now = ctx.clock.now()
    with session_scope(ctx.engine) as session:
        integration = session.get(Integration, failed.integration_id)
        if integration is None:
            return None
        letter = DeadLetter(
            integration_id=integration.id,
            external_id=failed.external_id,
            payload=failed.payload,
            error=error,
            attempts=failed.attempts,
            created_at=now,
        )
        session.add(letter)
        session.flush()
        alert = Alert(
            kind=AlertKind.DEAD_LETTER,
            severity="critical",
            agent_id=integration.agent_id,
            integration_id=integration.id,
            text=f"An incoming update ({failed.external_id}) failed {failed.attempts} times and was set "
            f"aside as dead letter {letter.id}, so the bot goes on: {error}",
            created_at=now,
        )
        session.add(alert)
        session.flush()
        letter_id, alert_id = letter.id, alert.id
    log.error(
        "🚨 [AgentHandler] Update %s of integration %s failed %s times; kept as dead letter %s: %s",
        failed.external_id, failed.integration_id, failed.attempts, letter_id, error,
    )
    ctx.live.publish("alert", alert_id=alert_id, integration_id=failed.integration_id)
    return letter_id


def list_dead_letters(ctx: AppContext, integration_id: int) -> list[dict[str, Any]]:
    """The dead letters of an integration, newest first."""
    with session_scope(ctx.engine) as session:
        rows = session.exec(
            select(DeadLetter).where(DeadLetter.integration_id == integration_id).order_by(DeadLetter.id.desc())
        ).all()
        return [
            {"id": r.id, "external_id": r.external_id, "payload": _printable(r.payload), "error": r.error,
             "attempts": r.attempts, "created_at": r.created_at}
            for r in rows
        ]


def _printable(value: Any) -> Any:
    """The payload with text that cannot be encoded (often why it failed) shown as escapes."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {key: _printable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_printable(item) for item in value]
    return value
