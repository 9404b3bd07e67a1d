"""The durable outbox: every outgoing message is a row first, then sent by the dispatcher."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import and_, case, exists, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from ai_agents.channels.base import SendError
from ai_agents.core.retry import backoff_delay
from ai_agents.core.types import AlertKind, MessageStatus, OutboxStatus
from ai_agents.db.models import Alert, Conversation, Integration, Message, OutboxMessage
from ai_agents.db.session import run_db, session_scope
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.live_updates import call_in_loop
from ai_agents.services.send_budget import SendBudget

log = get_logger("outbox")
ACTIVE = (OutboxStatus.PENDING, OutboxStatus.SENDING)
BULK_KINDS = ("broadcast", "follow_up")
INTERRUPTED = "interrupted while sending (the server stopped); not resent, to never send it twice"
BROADCAST_LINES = 20  # per-recipient log lines per campaign before only progress lines remain  # sent after conversation messages when both are due


class ChannelDown(SendError):
    """The integration is not running here: the message waits without using up its attempts."""

    def __init__(self, reason: str):
        super().__init__(reason, transient=True)


def enqueue(session: Session, ctx: AppContext, **fields) -> OutboxMessage | None:
    """Add an outbox row unless its idempotency key exists already (then None)."""
    key = fields["idempotency_key"]
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)).first():
        return None
    row = OutboxMessage(next_attempt_at=ctx.clock.now(), created_at=ctx.clock.now(), **fields)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # a concurrent writer got there first
        return None
    return row


def queue_message(
    session: Session, ctx: AppContext, conversation: Conversation, *, role: str, kind: str,
    text: str, key: str | None = None, translation: str | None = None, author: str | None = None,
) -> Message:  # fmt: skip
    """Store an outgoing message of a conversation and its outbox row (key: kind:message id)."""
    now = ctx.clock.now()
    message = Message(conversation_id=conversation.id, integration_id=conversation.integration_id,
                      role=role, kind=kind, text=text, translation=translation, author=author,
                      language=conversation.language, status=MessageStatus.QUEUED, created_at=now)  # fmt: skip
    session.add(message)
    session.flush()
    enqueue(session, ctx, idempotency_key=key or f"{kind}:{message.id}", integration_id=conversation.integration_id,
            recipient=conversation.remote_id, text=text, kind=kind, conversation_id=conversation.id,
            message_id=message.id)  # fmt: skip
    conversation.last_message_at = conversation.last_agent_message_at = now
    if kind in ("reply", "manager"):
        conversation.follow_up_state = None  # follow-ups count from this message
    return message


class Dispatcher:
    """Claims due rows with a lease, sends them in order per recipient, records the outcome."""

    def __init__(
        self,
        ctx: AppContext,
        *,
        batch: int = 200,
        lease_seconds: float = 120,
        max_attempts: int = 8,
        retry_base: float = 2.0,
        idle_seconds: float = 1.0,
        concurrency: int = 32,
    ) -> None:
        self.ctx = ctx
        self.batch, self.lease, self.max_attempts = batch, timedelta(seconds=lease_seconds), max_attempts
        self.retry_base, self.idle_seconds = retry_base, idle_seconds
        self.owner = uuid.uuid4().hex[:12]
        self._wake = asyncio.Event()
        self._limit = asyncio.Semaphore(concurrency)
        self._loop: asyncio.AbstractEventLoop | None = None
        self.budget = SendBudget()
        self._broadcast_lines: dict[int | None, int] = {}

    def wake(self) -> None:
        """Send soon: callable from any thread (the pipeline stores replies in worker threads)."""
        if self._loop is not None:
            call_in_loop(self._loop, self._wake.set)

    async def run(self) -> None:
        """Send until cancelled: claim what the rate budgets allow, send it without waiting for
        the whole batch, and sleep until woken, a token is due, or idle_seconds pass."""
        self._loop = asyncio.get_running_loop()
        in_flight: set[asyncio.Task] = set()
        while True:
            try:
                room = self.batch - len(in_flight)
                rows = await run_db(self.ctx.engine, self._claim, room) if room > 0 else []
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
                log.exception("❌ Outbox dispatch failed; retrying")
                rows = []
            for row in rows:
                task = asyncio.create_task(self._send(row))
                in_flight.add(task)
                task.add_done_callback(in_flight.discard)
            pause = self.idle_seconds if not rows else 0.0
            if self.budget.next_token_in() > 0:  # a rate is exhausted: claiming again now is waste
                pause = min(self.idle_seconds, max(pause, self.budget.next_token_in()))
            if pause == 0:
                await asyncio.sleep(0)
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), pause)
            except TimeoutError:
                pass
            self._wake.clear()

    async def dispatch_once(self) -> int:
        """Claim one batch and send all of it (tests and benchmarks); returns rows attempted."""
        rows = await run_db(self.ctx.engine, self._claim, self.batch)
        await asyncio.gather(*(self._send(row) for row in rows))
        return len(rows)

    def _claim(self, limit: int) -> list[OutboxMessage]:
        """Lease due rows: the oldest per recipient (order is kept), conversation messages before
        campaigns, and only as many as the rate budgets allow now."""
        now = self.ctx.clock.now()
        token = f"{self.owner}:{uuid.uuid4().hex[:8]}"
        earlier = aliased(OutboxMessage)
        blocked = exists().where(
            earlier.integration_id == OutboxMessage.integration_id,
            earlier.recipient == OutboxMessage.recipient,
            earlier.id < OutboxMessage.id,
            earlier.status.in_(ACTIVE),
        )
        due = or_(
            and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
            and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < now),
        )
        campaign_last = case((OutboxMessage.kind.in_(BULK_KINDS), 1), else_=0)
        with session_scope(self.ctx.engine) as session:
            self._give_up_interrupted(session, now)
            query = (
                select(OutboxMessage.id, OutboxMessage.integration_id, OutboxMessage.recipient,
                       Integration.provider, Integration.config)  # fmt: skip
                .join(Integration, Integration.id == OutboxMessage.integration_id)
                .where(due, ~blocked)
                .order_by(campaign_last, OutboxMessage.id)
                .limit(limit * 4)
            )
            if self.ctx.engine.dialect.name == "postgresql":
                query = query.with_for_update(of=OutboxMessage, skip_locked=True)
            ids = [
                row_id
                for row_id, integration_id, recipient, provider, config in session.exec(query)
                if self.budget.allow(integration_id, provider, config or {}, recipient)
            ][:limit]
            if not ids:
                return []
            session.exec(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids), due)
                .values(status=OutboxStatus.SENDING, lease_owner=token, lease_until=now + self.lease)
            )
            claimed = select(OutboxMessage).where(OutboxMessage.lease_owner == token).order_by(OutboxMessage.id)
            return list(session.exec(claimed))

    def _give_up_interrupted(self, session: Session, now) -> None:
        """A campaign row whose sender died mid-call may have been delivered: resending could send
        it twice, so it fails with the reason instead (conversation messages are resent)."""
        session.exec(
            update(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < now,
                   OutboxMessage.attempt_started_at.is_not(None), OutboxMessage.kind.in_(BULK_KINDS))
            .values(status=OutboxStatus.FAILED, lease_owner=None, lease_until=None,
                    last_error=INTERRUPTED)
        )  # fmt: skip

    def _mark_started(self, row_id: int) -> None:
        with session_scope(self.ctx.engine) as session:
            session.exec(update(OutboxMessage).where(OutboxMessage.id == row_id)
                         .values(attempt_started_at=self.ctx.clock.now()))  # fmt: skip

    async def _send(self, row: OutboxMessage) -> bool:
        async with self._limit:
            if row.kind in BULK_KINDS:
                await run_db(self.ctx.engine, self._mark_started, row.id)
            try:
                result = await self.ctx.gateway().send_text(row.integration_id, row.recipient, row.text)
            except SendError as exc:
                await run_db(self.ctx.engine, self._failed, row, exc)
                return False
        await run_db(self.ctx.engine, self._sent, row, result.external_id)
        return True

    def _sent(self, row: OutboxMessage, external_id: str | None) -> None:
        now = self.ctx.clock.now()
        with session_scope(self.ctx.engine) as session:
            stored = session.get(OutboxMessage, row.id)
            stored.status, stored.sent_at, stored.external_id = OutboxStatus.SENT, now, external_id
            stored.attempt_started_at = None
            stored.attempts += 1
            stored.lease_owner = stored.lease_until = None
            if row.message_id is not None:
                message = session.get(Message, row.message_id)
                if message is not None:  # the channel's id stays on the outbox row
                    message.status = MessageStatus.SENT
        if row.kind == "reply":
            log.info("✅ Response sent to %s (conversation %s)", row.recipient, row.conversation_id)
        elif row.kind == "broadcast" and self._first_lines(row.broadcast_id):
            log.info("✅ [BroadcastWorker] Sent message to %s", row.recipient)
        self.ctx.live.publish("outbox_sent", outbox_id=row.id, conversation_id=row.conversation_id)

    def _first_lines(self, broadcast_id: int | None) -> bool:
        """Per-recipient log lines only for the first few of a campaign; then progress lines."""
        seen = self._broadcast_lines.get(broadcast_id, 0)
        self._broadcast_lines[broadcast_id] = seen + 1
        return seen < BROADCAST_LINES

    def _failed(self, row: OutboxMessage, exc: SendError) -> None:
        now = self.ctx.clock.now()
        with session_scope(self.ctx.engine) as session:
            stored = session.get(OutboxMessage, row.id)
            stored.lease_owner = stored.lease_until = stored.attempt_started_at = None
            stored.last_error = exc.reason
            if isinstance(exc, ChannelDown):
                stored.status = OutboxStatus.PENDING
                stored.next_attempt_at = now + timedelta(seconds=5)
                return
            stored.attempts += 1
            if exc.transient and stored.attempts < self.max_attempts:
                delay = max(exc.retry_after or 0, backoff_delay(stored.attempts, base=self.retry_base, cap=300))
                stored.status, stored.next_attempt_at = OutboxStatus.PENDING, now + timedelta(seconds=delay)
                if row.kind != "broadcast":
                    log.warning("⚠️  Send to %s failed, will retry in %.0fs: %s", row.recipient, delay, exc.reason)
                elif self._first_lines(row.broadcast_id):
                    log.warning("⚠️  [BroadcastWorker] Failed to send, will retry: %s (%s)", row.recipient, exc.reason)
                return
            stored.status = OutboxStatus.FAILED
            self._record_failure(session, stored, exc.reason)
        log.error("❌ Send to %s failed for good: %s", row.recipient, exc.reason)

    def _record_failure(self, session: Session, row: OutboxMessage, reason: str) -> None:
        if row.message_id is not None:
            message = session.get(Message, row.message_id)
            if message is not None:
                message.status, message.error = MessageStatus.FAILED, reason
        if row.conversation_id is not None:
            conversation = session.get(Conversation, row.conversation_id)
            if conversation is not None:
                conversation.last_error = f"delivery failed: {reason}"
                session.add(
                    Alert(
                        kind=AlertKind.DELIVERY_FAILURE,
                        agent_id=conversation.agent_id,
                        conversation_id=conversation.id,
                        message_id=row.message_id,
                        integration_id=row.integration_id,
                        text=f"Could not deliver a message to {row.recipient}: {reason}",
                        created_at=self.ctx.clock.now(),
                    )
                )
