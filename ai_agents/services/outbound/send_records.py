"""What the dispatcher's sends came to, recorded on their rows (only while the lease is held) and told."""

from __future__ import annotations

from ai_agents.db.models import OutboxMessage
from ai_agents.db.session import connection_scope, session_scope
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.outbound.outbox_record import Outcome, RetryPolicy, record_failed, record_sent
from ai_agents.services.ports import SendError, SendResult

log = get_logger("outbox")
BROADCAST_LINES = 20  # per-recipient log lines per campaign before only progress lines remain


class SendRecords:
    """Records sends and failures (blocking: run in a worker thread), logs them and publishes them
    to live updates; a campaign's per-recipient lines stop after its first few."""

    def __init__(self, ctx: AppContext, policy: RetryPolicy) -> None:
        self.ctx, self.policy = ctx, policy
        self._broadcast_lines: dict[int | None, int] = {}

    def sent(self, sends: list[tuple[OutboxMessage, SendResult]]) -> list[Outcome]:
        """Record sends that ended together, in one transaction (the dispatcher's group commit)."""
        with connection_scope(self.ctx.engine) as connection:
            now = self.ctx.clock.now()
            outcomes = [record_sent(connection, row, result, now) for row, result in sends]
        for (row, _), outcome in zip(sends, outcomes, strict=True):
            self._announce_sent(row, outcome)
        return outcomes

    def _announce_sent(self, row: OutboxMessage, outcome: Outcome) -> None:
        if outcome == Outcome.LOST_LEASE:
            log.warning("⚠️  Outbox row %s was sent but is no longer ours (deleted or taken over)", row.id)
            return
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

    def failed(self, row: OutboxMessage, exc: SendError) -> Outcome:
        """Record a failed send: retried later, held, or failed for good with its reason."""
        with session_scope(self.ctx.engine) as session:
            outcome, delay, reason = record_failed(session, row, exc, self.ctx.clock.now(), self.policy)
        if outcome == Outcome.LOST_LEASE:
            log.warning("⚠️  Outbox row %s failed but is no longer ours (deleted or taken over): %s",
                        row.id, reason)
        elif outcome == Outcome.RETRY and row.kind != "broadcast":
            log.warning("⚠️  Send to %s failed, will retry in %.0fs: %s", row.recipient, delay, reason)
        elif outcome == Outcome.RETRY and self._first_lines(row.broadcast_id):
            log.warning("⚠️  [BroadcastWorker] Failed to send, will retry: %s (%s)", row.recipient, reason)
        elif outcome == Outcome.FAILED:
            log.error("❌ Send to %s failed for good: %s", row.recipient, reason)
        if outcome != Outcome.LOST_LEASE:  # live chat shows the message's new status (and alert)
            self.ctx.live.publish("outbox_failed", outbox_id=row.id, conversation_id=row.conversation_id,
                                  final=outcome == Outcome.FAILED)
        return outcome
