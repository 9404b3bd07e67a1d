"""Broadcast campaigns: validated recipients become outbox rows; progress is read from them."""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator
from sqlalchemy import func, update
from sqlmodel import Session, select

from ai_agents.core.errors import FieldProblem, NotFound, ValidationFailed
from ai_agents.core.types import BroadcastStatus, ChannelType, OutboxStatus
from ai_agents.db.models import Broadcast, Conversation, Integration, OutboxMessage
from ai_agents.db.session import session_scope
from ai_agents.logs import get_logger
from ai_agents.services.agents import load_agent
from ai_agents.services.context import AppContext
from ai_agents.services.validation import DbId, StrictInput

log = get_logger("broadcasts")

RECIPIENT_RULES = {  # channel -> (pattern, what a person should send)
    ChannelType.WHATSAPP: (re.compile(r"^\+[1-9]\d{6,14}$"), "a phone number in E.164 form, e.g. +14155550100"),
    ChannelType.TELEGRAM: (re.compile(r"^-?\d{1,20}$"), "a numeric Telegram chat id, e.g. 123456789"),
    ChannelType.INSTAGRAM: (re.compile(r"^\d{5,30}$"), "an Instagram-scoped user id (digits)"),
}
FINISHED = (BroadcastStatus.COMPLETED, BroadcastStatus.COMPLETED_WITH_ERRORS, BroadcastStatus.CANCELLED, BroadcastStatus.FAILED)


class BroadcastCreate(StrictInput):
    """Body of POST /api/agents/{agent_id}/settings/broadcast (the plan's fields plus two)."""

    message: str = Field(min_length=1, max_length=4096, description="Text; {name} is the contact's name")
    integration_type: Literal["whatsapp", "telegram", "instagram"]
    recipients: list[str] = Field(min_length=1, max_length=100_000)
    scheduled_at: datetime | None = Field(None, description="ISO 8601 with a time zone; null: now")
    integration_id: DbId | None = Field(None, description="Needed when the agent has several of that type")
    name: str = Field("", max_length=200)

    @field_validator("scheduled_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("include a time zone, e.g. 2026-12-01T09:00:00Z")
        return value


def normalise(channel: str, recipient: str) -> str:
    text = recipient.strip()
    if channel == ChannelType.WHATSAPP:
        text = re.sub(r"[\s\-().]", "", text)
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
    if len(rows) > 1:
        ids = ", ".join(str(r.id) for r in rows)
        raise ValidationFailed([FieldProblem("integration_id", f"is required: the agent has several {data.integration_type} integrations ({ids})")])
    return rows[0]


def create_broadcast(ctx: AppContext, agent_id: int, data: BroadcastCreate) -> dict[str, Any]:
    """Store the campaign and one outbox row per recipient; invalid or opted-out ones are skipped."""
    pattern, expected = RECIPIENT_RULES[ChannelType(data.integration_type)]
    now = ctx.clock.now()
    start = max(data.scheduled_at, now) if data.scheduled_at else now
    seen: dict[str, None] = {}
    for raw in data.recipients:
        seen.setdefault(normalise(data.integration_type, raw), None)
    recipients = list(seen)
    with session_scope(ctx.engine) as session:
        load_agent(session, agent_id)
        integration = _pick_integration(session, agent_id, data)
        contacts = {c.remote_id: c for c in session.exec(select(Conversation).where(
            Conversation.integration_id == integration.id, Conversation.remote_id.in_(recipients)))}  # fmt: skip
        broadcast = Broadcast(agent_id=agent_id, integration_id=integration.id, integration_type=data.integration_type,
                              name=data.name, message=data.message, total=len(recipients), scheduled_at=data.scheduled_at,
                              created_at=now)  # fmt: skip
        session.add(broadcast)
        session.flush()
        rows = []
        for recipient in recipients:  # keys are new (a new broadcast id): a plain bulk insert
            contact = contacts.get(recipient)
            reason = None
            if not pattern.match(recipient):
                reason = f"invalid recipient {recipient!r}: expected {expected}"
            elif contact is not None and contact.opted_out:
                reason = "the customer opted out of broadcasts"
            rows.append(OutboxMessage(
                idempotency_key=f"broadcast:{broadcast.id}:{recipient}", integration_id=integration.id,
                recipient=recipient, text=personalise(data.message, contact), kind="broadcast",
                conversation_id=contact.id if contact else None, broadcast_id=broadcast.id,
                status=OutboxStatus.SKIPPED if reason else OutboxStatus.PENDING, last_error=reason,
                next_attempt_at=start, created_at=now,
            ))  # fmt: skip
        session.add_all(rows)
        skipped = sum(row.status == OutboxStatus.SKIPPED for row in rows)
        view = _view(broadcast, {"sent": 0, "failed": 0, "skipped": skipped, "cancelled": 0,
                                 "pending": len(rows) - skipped})  # fmt: skip
    log.info("📢 [BroadcastWorker] Broadcast %s created: %s recipients over %s", view["id"], len(recipients), data.integration_type)
    if ctx.outbox_wakeup:
        ctx.outbox_wakeup()
    return view


def personalise(message: str, contact: Conversation | None) -> str:
    """{name} becomes the contact's name where we know it; otherwise it is left out cleanly."""
    name = (contact.contact_name or "").strip() if contact else ""
    text = message.replace("{name}", name)
    return re.sub(r"\s+([,!.?])", r"\1", re.sub(r" {2,}", " ", text)).strip() if not name else text


def _counts(session: Session, broadcast_id: int) -> dict[str, int]:
    rows = session.exec(select(OutboxMessage.status, func.count()).where(
        OutboxMessage.broadcast_id == broadcast_id).group_by(OutboxMessage.status)).all()  # fmt: skip
    counts = {status: int(n) for status, n in rows}
    pending = counts.get(OutboxStatus.PENDING, 0) + counts.get(OutboxStatus.SENDING, 0)
    return {"sent": counts.get(OutboxStatus.SENT, 0), "failed": counts.get(OutboxStatus.FAILED, 0),
            "skipped": counts.get(OutboxStatus.SKIPPED, 0), "cancelled": counts.get(OutboxStatus.CANCELLED, 0),
            "pending": pending}  # fmt: skip


def _view(broadcast: Broadcast, counts: dict[str, int]) -> dict[str, Any]:
    return {
        "id": broadcast.id, "agent_id": broadcast.agent_id, "integration_id": broadcast.integration_id,
        "integration_type": broadcast.integration_type, "name": broadcast.name, "message": broadcast.message,
        "status": broadcast.status, "total": broadcast.total, **counts,
        "scheduled_at": broadcast.scheduled_at, "started_at": broadcast.started_at,
        "completed_at": broadcast.completed_at, "created_at": broadcast.created_at,
    }  # fmt: skip


def _load(session: Session, agent_id: int, broadcast_id: int) -> Broadcast:
    broadcast = session.get(Broadcast, broadcast_id)
    if broadcast is None or broadcast.agent_id != agent_id:
        raise NotFound(f"broadcast {broadcast_id} of agent {agent_id} does not exist", code="BROADCAST_NOT_FOUND")
    return broadcast


def get_broadcast(ctx: AppContext, agent_id: int, broadcast_id: int) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        broadcast = _load(session, agent_id, broadcast_id)
        return _view(broadcast, _counts(session, broadcast_id))


def list_broadcasts(ctx: AppContext, agent_id: int) -> list[dict[str, Any]]:
    with session_scope(ctx.engine) as session:
        load_agent(session, agent_id)
        rows = session.exec(select(Broadcast).where(Broadcast.agent_id == agent_id).order_by(Broadcast.id.desc()))
        return [_view(b, _counts(session, b.id)) for b in rows]


def list_recipients(ctx: AppContext, agent_id: int, broadcast_id: int, *, limit: int, offset: int) -> list[dict]:
    with session_scope(ctx.engine) as session:
        _load(session, agent_id, broadcast_id)
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast_id)
                            .order_by(OutboxMessage.id).offset(offset).limit(limit))  # fmt: skip
        return [{"recipient": r.recipient, "status": r.status, "error": r.last_error, "attempts": r.attempts,
                 "sent_at": r.sent_at} for r in rows]  # fmt: skip


def cancel_broadcast(ctx: AppContext, agent_id: int, broadcast_id: int) -> dict[str, Any]:
    """Stop what has not been sent yet; what is sent stays sent."""
    with session_scope(ctx.engine) as session:
        broadcast = _load(session, agent_id, broadcast_id)
        if broadcast.status not in FINISHED:
            session.exec(update(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast_id,
                         OutboxMessage.status == OutboxStatus.PENDING).values(status=OutboxStatus.CANCELLED))  # fmt: skip
            broadcast.status, broadcast.completed_at = BroadcastStatus.CANCELLED, ctx.clock.now()
    log.info("🛑 [BroadcastWorker] Broadcast %s cancelled", broadcast_id)
    return get_broadcast(ctx, agent_id, broadcast_id)


def refresh_statuses(ctx: AppContext) -> None:
    """Scheduler tick: pending -> processing when due, -> completed(_with_errors) when done."""
    now = ctx.clock.now()
    with session_scope(ctx.engine) as session:
        active = session.exec(select(Broadcast).where(Broadcast.status.in_((BroadcastStatus.PENDING, BroadcastStatus.PROCESSING))))
        for broadcast in active:
            counts = _counts(session, broadcast.id)
            if broadcast.status == BroadcastStatus.PENDING and (broadcast.scheduled_at or now) <= now:
                broadcast.status, broadcast.started_at = BroadcastStatus.PROCESSING, now
                log.info("📢 [BroadcastWorker] Processing broadcast %s (%s recipients)", broadcast.id, broadcast.total)
            if broadcast.status == BroadcastStatus.PROCESSING:
                if counts["pending"] == 0:
                    failed = counts["failed"] + counts["skipped"]
                    broadcast.status = BroadcastStatus.COMPLETED_WITH_ERRORS if failed else BroadcastStatus.COMPLETED
                    broadcast.completed_at = now
                    log.info("✅ [BroadcastWorker] Broadcast %s %s: %s sent, %s failed, %s skipped", broadcast.id,
                             broadcast.status, counts["sent"], counts["failed"], counts["skipped"])  # fmt: skip
                elif _progress_due(broadcast.id, counts["sent"]):
                    log.info("📢 [BroadcastWorker] Broadcast %s: %s/%s sent, %s failed, %s pending", broadcast.id,
                             counts["sent"], broadcast.total, counts["failed"], counts["pending"])  # fmt: skip


_last_progress: dict[int, tuple[float, int]] = {}
PROGRESS_EVERY_SECONDS = 10.0


def _progress_due(broadcast_id: int, sent: int) -> bool:
    """A progress line at most every 10 s per campaign, and only when it moved."""
    moment = time.monotonic()
    last_time, last_sent = _last_progress.get(broadcast_id, (0.0, -1))
    if sent == last_sent or moment - last_time < PROGRESS_EVERY_SECONDS:
        return False
    _last_progress[broadcast_id] = (moment, sent)
    return True
