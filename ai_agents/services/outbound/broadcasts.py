"""Broadcast campaigns: validated recipients become outbox rows; progress is read from them."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator
from sqlalchemy import func, insert, update
from sqlmodel import Session, select

from ai_agents.core.errors import FieldProblem, NotFound, ValidationFailed
from ai_agents.core.phone import to_e164
from ai_agents.core.types import BroadcastStatus, ChannelType, IntegrationStatus, OutboxStatus
from ai_agents.db.models import Broadcast, Conversation, Integration, OutboxMessage
from ai_agents.db.queries import load_agent
from ai_agents.db.session import session_scope
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.validation import DbId, StrictInput

log = get_logger("broadcasts")

RECIPIENT_RULES = {  # channel -> (pattern, what a person should send)
    ChannelType.WHATSAPP: (re.compile(r"^\+[1-9]\d{6,14}$"), "a phone number in E.164 form, e.g. +14155550100"),
    ChannelType.TELEGRAM: (re.compile(r"^-?\d{1,20}$"), "a numeric Telegram chat id, e.g. 123456789"),
    ChannelType.INSTAGRAM: (re.compile(r"^\d{5,30}$"), "an Instagram-scoped user id (digits)"),
}
FINISHED = (BroadcastStatus.COMPLETED, BroadcastStatus.COMPLETED_WITH_ERRORS, BroadcastStatus.CANCELLED, BroadcastStatus.FAILED)
MAX_RECIPIENTS = 100_000  # per campaign; more go in several campaigns
RECIPIENT_MAX_CHARS = 64  # the longest valid recipient is 31 characters
# Statements stay far below PostgreSQL's 65,535 bind parameters and never hold the database long.
LOOKUP_BATCH = 5_000  # recipients per IN (...) when looking up contacts
INSERT_BATCH = 2_000  # outbox rows per INSERT


class BroadcastCreate(StrictInput):
    """Body of POST /api/agents/{agent_id}/settings/broadcast (the plan's fields plus two)."""

    message: str = Field(min_length=1, max_length=4096, description="Text; {name} is the contact's name")
    integration_type: Literal["whatsapp", "telegram", "instagram"]
    recipients: list[Annotated[str, Field(max_length=RECIPIENT_MAX_CHARS)]] = Field(
        min_length=1, max_length=MAX_RECIPIENTS, description=f"At most {MAX_RECIPIENTS:,} per campaign"
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


def normalise(channel: str, recipient: str) -> str:
    text = recipient.strip()
    if channel == ChannelType.WHATSAPP:  # +1 (555) 000-1111, 0015550001111, 15550001111@s.whatsapp.net
        text = to_e164(text) or re.sub(r"[\s\-().]", "", text)
    return text


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
    recipients = list(dict.fromkeys(normalise(data.integration_type, raw) for raw in data.recipients))
    with session_scope(ctx.engine) as session:
        load_agent(session, agent_id)
        integration = _pick_integration(session, agent_id, data)
        contacts = _contacts(session, integration.id, recipients)
        broadcast = Broadcast(
            agent_id=agent_id,
            integration_id=integration.id,
            integration_type=data.integration_type,
            name=data.name,
            message=data.message,
            total=len(recipients),
            scheduled_at=data.scheduled_at,
            created_at=now,
        )
        session.add(broadcast)
        session.flush()
        rows = _outbox_rows(broadcast, recipients, contacts, start)
        for first in range(0, len(rows), INSERT_BATCH):  # keys are new (a new broadcast id): plain inserts
            session.execute(insert(OutboxMessage.__table__), rows[first : first + INSERT_BATCH])
        skipped = sum(row["status"] == OutboxStatus.SKIPPED for row in rows)
        view = _view(
            broadcast,
            {"sent": 0, "failed": 0, "skipped": skipped, "cancelled": 0, "pending": len(rows) - skipped},
        )
    log.info("📢 [BroadcastWorker] Broadcast %s created: %s recipients over %s", view["id"], len(recipients), data.integration_type)
    if ctx.outbox_wakeup:
        ctx.outbox_wakeup()
    return view


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


def _outbox_rows(broadcast: Broadcast, recipients: list[str], contacts: dict[str, Conversation], start: datetime) -> list[dict]:
    """One outbox row (as column values) per recipient: pending, or skipped with the reason."""
    pattern, expected = RECIPIENT_RULES[ChannelType(broadcast.integration_type)]
    anonymous = personalise(broadcast.message, None)
    common = {"integration_id": broadcast.integration_id, "kind": "broadcast", "broadcast_id": broadcast.id,
              "attempts": 0, "parts_sent": 0, "next_attempt_at": start, "created_at": broadcast.created_at}
    rows = []
    for recipient in recipients:
        contact = contacts.get(recipient)
        reason = None
        if not pattern.match(recipient):
            reason = f"invalid recipient {recipient!r}: expected {expected}"
        elif contact is not None and contact.opted_out:
            reason = "the customer opted out of broadcasts"
        row = dict(common, idempotency_key=f"broadcast:{broadcast.id}:{recipient}", recipient=recipient)
        row.update(text=personalise(broadcast.message, contact) if contact else anonymous, last_error=reason,
                   conversation_id=contact.id if contact else None)
        row["status"] = OutboxStatus.SKIPPED if reason else OutboxStatus.PENDING
        rows.append(row)
    return rows


def personalise(message: str, contact: Conversation | None) -> str:
    """{name} becomes the contact's name where we know it; otherwise it is left out cleanly."""
    name = (contact.contact_name or "").strip() if contact else ""
    text = message.replace("{name}", name)
    # (?<!\s): a match starts only where a whitespace run starts, so long runs stay linear
    return re.sub(r"(?<!\s)\s++([,!.?])", r"\1", re.sub(r" {2,}", " ", text)).strip() if not name else text


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
    ctx: AppContext, agent_id: int, broadcast_id: int, *, limit: int, offset: int
) -> list[dict]:
    with session_scope(ctx.engine) as session:
        _load(session, agent_id, broadcast_id)
        rows = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.broadcast_id == broadcast_id)
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
