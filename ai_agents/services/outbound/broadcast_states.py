"""The campaign states over time (scheduler tick): pending, processing, completed; progress lines."""

from __future__ import annotations

import time

from sqlmodel import select

from ai_agents.core.types import BroadcastStatus
from ai_agents.db.models import Broadcast
from ai_agents.db.session import session_scope
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.outbound.broadcasts import recipient_counts

log = get_logger("broadcasts")


def refresh_statuses(ctx: AppContext) -> None:
    """Scheduler tick: pending -> processing when due, -> completed(_with_errors) when done."""
    now = ctx.clock.now()
    with session_scope(ctx.engine) as session:
        active = session.exec(
            select(Broadcast).where(
                Broadcast.status.in_((BroadcastStatus.PENDING, BroadcastStatus.PROCESSING))
            )
        )
        for broadcast in active:
            counts = recipient_counts(session, broadcast.id)
            if broadcast.status == BroadcastStatus.PENDING and (broadcast.scheduled_at or now) <= now:
                broadcast.status, broadcast.started_at = BroadcastStatus.PROCESSING, now
                log.info(
                    "📢 [BroadcastWorker] Processing broadcast %s (%s recipients)",
                    broadcast.id,
                    broadcast.total,
                )
            if broadcast.status == BroadcastStatus.PROCESSING:
                if counts["pending"] == 0:
                    failed = counts["failed"] + counts["skipped"]
                    broadcast.status = (
                        BroadcastStatus.COMPLETED_WITH_ERRORS if failed else BroadcastStatus.COMPLETED
                    )
                    broadcast.completed_at = now
                    log.info(
                        "✅ [BroadcastWorker] Broadcast %s %s: %s sent, %s failed, %s skipped",
                        broadcast.id,
                        broadcast.status,
                        counts["sent"],
                        counts["failed"],
                        counts["skipped"],
                    )
                elif _progress_due(broadcast.id, counts["sent"]):
                    log.info(
                        "📢 [BroadcastWorker] Broadcast %s: %s/%s sent, %s failed, %s pending",
                        broadcast.id,
                        counts["sent"],
                        broadcast.total,
                        counts["failed"],
                        counts["pending"],
                    )


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
