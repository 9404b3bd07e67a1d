"""Broadcast campaigns: validated recipients become outbox rows; progress is read from them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from sqlalchemy import func, insert, update
from sqlmodel import Session, select

from ai_agents.core.errors import FieldProblem, NotFound, ValidationFailed
from ai_agents.core.types import BroadcastStatus, IntegrationStatus, OutboxStatus
from ai_agents.db.models import Broadcast, Conversation, Integration, OutboxMessage
from ai_agents.db.queries import load_agent
from ai_agents.db.session import read_scope, session_scope
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.outbound.broadcast_recipients import (
    INVALID_LISTED,
    NAME_MAX_CHARS,
    RECIPIENT_MAX_CHARS,
    Checked,
    check_recipients,
    personalise,
)
from ai_agents.services.validation import DbId, StrictInput

log = get_logger("broadcasts")

FINISHED = (BroadcastStatus.COMPLETED, BroadcastStatus.COMPLETED_WITH_ERRORS, BroadcastStatus.CANCELLED, BroadcastStatus.FAILED)
MAX_RECIPIENTS = 100_000  # per campaign; more go in several campaigns
# Statements stay far below PostgreSQL's 65,535 bind parameters and never hold the database long.
LOOKUP_BATCH = 5_000  # recipients per IN (...) when looking up contacts
INSERT_BATCH = 2_000  # outbox rows per INSERT


class BroadcastCreate(StrictInput):
    """Body of POST /api/agents/{agent_id}/settings/broadcast (the plan's fields, plus integration_id, name, names)."""

    message: str = Field(min_length=1, max_length=4096, description="Text; {name} is the recipient's name")
    integration_type: Literal["whatsapp", "telegram", "instagram"]
    recipients: list[Annotated[str, Field(max_length=RECIPIENT_MAX_CHARS)]] = Field(
        min_length=1, max_length=MAX_RECIPIENTS, description=f"At most {MAX_RECIPIENTS:,} per campaign"
    )
    names: dict[Annotated[str, Field(max_length=RECIPIENT_MAX_CHARS)], Annotated[str, Field(max_length=NAME_MAX_CHARS)]] = Field(
        default_factory=dict, max_length=MAX_RECIPIENTS,
        description='{name} of some recipients, e.g. {"123456789": "Ann"}; the others get the contact\'s name',
    )
    scheduled_at: datetime | None = Field(None, description="ISO 8601 with a time zone; null: now")
    integration_id: DbId | None = Field(None, description="Needed when the agent has several of that type")
    name: str = Field("", max_length=200)

    @field_validator("recipients", mode="before")
    @classmethod
    def _not_too_many(cls, value: Any) -> Any:
        if isinstance(value, list) and len(value) > MAX_RECIPIENTS:
            raise ValueError(
                f"at most {MAX_RECIPIENTS:,} recipients per campaign, got {len(value):,}; "
                "split them over several campaigns"
            )
        return value

    @field_validator("scheduled_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("include a time zone, e.g. 2026-12-01T09:00:00Z")
        return value


def _pick_integration(session: Session, agent_id: int, data: BroadcastCreate) -> Integration:
    rows = list(session.exec(select(Integration).where(
        Integration.agent_id == agent_id, Integration.channel == data.integration_type).order_by(Integration.id)))
    if data.integration_id is not None:
        chosen = [r for r in rows if r.id == data.integration_id]
        if not chosen:
            raise ValidationFailed([FieldProblem("integration_id", f"is not a {data.integration_type} integration of agent {agent_id}")])
        return chosen[0]
    if not rows:
        raise ValidationFailed([FieldProblem("integration_type", f"agent {agent_id} has no {data.integration_type} integration; connect one first")])
    connected = [r for r in rows if r.status == IntegrationStatus.CONNECTED]
    if len(rows) > 1 and len(connected) == 1:
        return connected[0]  # the agent's connected device (or bot, page)
    if len(rows) > 1:
        ids = ", ".join(str(r.id) for r in rows)
        raise ValidationFailed([FieldProblem("integration_id", f"is required: the agent has several {data.integration_type} integrations ({ids}), "
                                                           f"{len(connected)} of them connected")])
    return rows[0]


def create_broadcast(ctx: AppContext, agent_id: int, data: BroadcastCreate) -> dict[str, Any]:
    """Store the campaign and one outbox row per recipient; invalid or opted-out ones are skipped."""
    now = ctx.clock.now()
    start = max(data.scheduled_at, now) if data.scheduled_at else now
    checked = check_recipients(data.integration_type, data.recipients, data.names)
    with session_scope(ctx.engine) as session:
        load_agent(session, agent_id)
        integration = _pick_integration(session, agent_id, data)
        contacts = _contacts(session, integration.id, list(checked.names))
        broadcast = Broadcast(
            agent_id=agent_id,
            integration_id=integration.id,
            integration_type=data.integration_type,
            name=data.name,
            message=data.message,
            total=len(checked.names),
            scheduled_at=data.scheduled_at,
            created_at=now,
        )
        session.add(broadcast)
        session.flush()
        rows = _outbox_rows(broadcast, checked, contacts, start)
        for first in range(0, len(rows), INSERT_BATCH):  # keys are new (a new broadcast id): plain inserts
            session.execute(insert(OutboxMessage.__table__), rows[first : first + INSERT_BATCH])
        skipped = sum(row["status"] == OutboxStatus.SKIPPED for row in rows)
        view = _view(
            broadcast,
            {"sent": 0, "failed": 0, "skipped": skipped, "cancelled": 0, "pending": len(rows) - skipped},
        )
    log.info("📢 [BroadcastWorker] Broadcast %s created: %s recipients over %s", view["id"], len(checked.names), data.integration_type)
    if ctx.outbox_wakeup:
        ctx.outbox_wakeup()
    return view


def preview_broadcast(ctx: AppContext, agent_id: int, data: BroadcastCreate) -> dict[str, Any]:
    """What creating the campaign would do, without creating it: how many recipients would be sent
    to, which would be skipped and why (the first 100 named), and the message the first one gets."""
    checked = check_recipients(data.integration_type, data.recipients, data.names)
    with read_scope(ctx.engine) as session:  # nothing written: no writer waits for it
        load_agent(session, agent_id)
        integration = _pick_integration(session, agent_id, data)
        contacts = _contacts(session, integration.id, list(checked.names))
    skipped = [(r, reason) for r in checked.names if (reason := _skip_reason(checked, contacts, r))]
    left_out = {r for r, _reason in skipped}
    valid = [r for r in checked.names if r not in left_out]
    first = valid[0] if valid else None
    return {
        "integration_id": integration.id,
        "total": len(checked.names),
        "valid": len(valid),
        "invalid": len(checked.invalid),
        "opted_out": len(skipped) - len(checked.invalid),
        "duplicates": checked.duplicates,
        "skipped": [{"recipient": r, "reason": reason} for r, reason in skipped[:INVALID_LISTED]],
        "sample": {"recipient": first, "text": _text(data.message, checked, contacts, first)} if first else None,
        "scheduled_at": data.scheduled_at,
    }


def _contacts(session: Session, integration_id: int, recipients: list[str]) -> dict[str, Conversation]:
    """The known conversations among the recipients, looked up a batch at a time."""
    contacts: dict[str, Conversation] = {}
    for first in range(0, len(recipients), LOOKUP_BATCH):
        batch = recipients[first : first + LOOKUP_BATCH]
        found = session.exec(
            select(Conversation).where(
                Conversation.integration_id == integration_id, Conversation.remote_id.in_(batch)
            )
        )
        contacts.update((c.remote_id, c) for c in found)
    return contacts


def _skip_reason(checked: Checked, contacts: dict[str, Conversation], recipient: str) -> str | None:
    if recipient in checked.invalid:
        return checked.invalid[recipient]
    contact = contacts.get(recipient)
    return "the customer opted out of broadcasts" if contact is not None and contact.opted_out else None


def _text(message: str, checked: Checked, contacts: dict[str, Conversation], recipient: str) -> str:
    """The recipient's text: {name} is the name given with it, else the contact's name."""
    contact = contacts.get(recipient)
    return personalise(message, checked.names[recipient] or (contact.contact_name if contact else None))


def _outbox_rows(broadcast: Broadcast, checked: Checked, contacts: dict[str, Conversation], start: datetime) -> list[dict]:
    """One outbox row (as column values) per recipient: pending, or skipped with the reason."""
    anonymous = personalise(broadcast.message, None)
    common = {"integration_id": broadcast.integration_id, "kind": "broadcast", "broadcast_id": broadcast.id,
              "attempts": 0, "parts_sent": 0, "next_attempt_at": start, "created_at": broadcast.created_at}
    rows = []
    for recipient, name in checked.names.items():
        contact = contacts.get(recipient)
        reason = _skip_reason(checked, contacts, recipient)
        row = dict(common, idempotency_key=f"broadcast:{broadcast.id}:{recipient}", recipient=recipient)
        text = _text(broadcast.message, checked, contacts, recipient) if name or contact else anonymous
        row.update(text=text, last_error=reason, conversation_id=contact.id if contact else None)
        row["status"] = OutboxStatus.SKIPPED if reason else OutboxStatus.PENDING
        rows.append(row)
    return rows


def recipient_counts(session: Session, broadcast_id: int) -> dict[str, int]:
    rows = session.exec(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.broadcast_id == broadcast_id)
        .group_by(OutboxMessage.status)
    ).all()
    counts = {status: int(n) for status, n in rows}
    pending = counts.get(OutboxStatus.PENDING, 0) + counts.get(OutboxStatus.SENDING, 0)
    return {
        "sent": counts.get(OutboxStatus.SENT, 0),
        "failed": counts.get(OutboxStatus.FAILED, 0),
        "skipped": counts.get(OutboxStatus.SKIPPED, 0),
        "cancelled": counts.get(OutboxStatus.CANCELLED, 0),
        "pending": pending,
    }


def _view(broadcast: Broadcast, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": broadcast.id,
        "agent_id": broadcast.agent_id,
        "integration_id": broadcast.integration_id,
        "integration_type": broadcast.integration_type,
        "name": broadcast.name,
        "message": broadcast.message,
        "status": broadcast.status,
        "total": broadcast.total,
        **counts,
        "scheduled_at": broadcast.scheduled_at,
        "started_at": broadcast.started_at,
        "completed_at": broadcast.completed_at,
        "created_at": broadcast.created_at,
    }


def _load(session: Session, agent_id: int, broadcast_id: int) -> Broadcast:
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.agent_id != agent_id:
        raise NotFound(f"broadcast {broadcast_id} of agent {agent_id} does not exist", code="BROADCAST_NOT_FOUND")
    return broadcast


def get_broadcast(ctx: AppContext, agent_id: int, broadcast_id: int) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        broadcast = _load(session, agent_id, broadcast_id)
        return _view(broadcast, recipient_counts(session, broadcast_id))


def list_broadcasts(ctx: AppContext, agent_id: int) -> list[dict[str, Any]]:
    with session_scope(ctx.engine) as session:
        load_agent(session, agent_id)
        rows = session.exec(select(Broadcast).where(Broadcast.agent_id == agent_id).order_by(Broadcast.id.desc()))
        return [_view(b, recipient_counts(session, b.id)) for b in rows]


def list_recipients(
    ctx: AppContext, agent_id: int, broadcast_id: int, *, limit: int, offset: int, status: str | None = None
) -> list[dict]:
    """Each recipient's status and error, in the campaign's order; only those of `status` if given
    (e.g. failed, skipped)."""
    matching = [OutboxMessage.broadcast_id == broadcast_id]
    if status is not None:
        matching.append(OutboxMessage.status == status)
    with session_scope(ctx.engine) as session:
        _load(session, agent_id, broadcast_id)
        rows = session.exec(
            select(OutboxMessage)
            .where(*matching)
            .order_by(OutboxMessage.id)
            .offset(offset)
            .limit(limit)
        )
        return [
            {
                "recipient": r.recipient,
                "status": r.status,
                "delivery_status": r.delivery_status,
                "error": r.last_error,
                "attempts": r.attempts,
                "sent_at": r.sent_at,
            }
            for r in rows
        ]


def cancel_broadcast(ctx: AppContext, agent_id: int, broadcast_id: int) -> dict[str, Any]:
    """Stop what has not been sent yet; what is sent stays sent."""
    with session_scope(ctx.engine) as session:
        broadcast = _load(session, agent_id, broadcast_id)
        if broadcast.status not in FINISHED:
            session.exec(
                update(OutboxMessage)
                .where(
                    OutboxMessage.broadcast_id == broadcast_id, OutboxMessage.status == OutboxStatus.PENDING
                )
                .values(status=OutboxStatus.CANCELLED)
            )
            broadcast.status, broadcast.completed_at = BroadcastStatus.CANCELLED, ctx.clock.now()
    log.info("🛑 [BroadcastWorker] Broadcast %s cancelled", broadcast_id)
    return get_broadcast(ctx, agent_id, broadcast_id)
