"""The outbox dispatcher: claims due rows with a lease, sends them at each channel's rate, records outcomes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session

from ai_agents.db.group_commit import GroupCommit
from ai_agents.db.models import OutboxMessage
from ai_agents.db.session import run_db, session_scope
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.live_updates import call_in_loop
from ai_agents.services.outbound import outbox_claim as claims
from ai_agents.services.outbound.messaging_window import closed_windows
from ai_agents.services.outbound.outbox_claim import BULK_KINDS
from ai_agents.services.outbound.outbox_record import Outcome, RetryPolicy
from ai_agents.services.outbound.send_records import SendRecords
from ai_agents.services.outbound.send_budget import Candidate, Channel, SendBudget
from ai_agents.services.outbound.send_slots import Reservation, SendSlots
from ai_agents.services.ports import SendError

log = get_logger("outbox")
INTERRUPTED_CHECK = timedelta(seconds=1)  # how often campaign sends cut off by a crash are looked for
MIN_PAUSE = 0.02  # seconds: waking for every token at high rates costs CPU; buckets keep the rate exact
SHUTDOWN_WAIT_SECONDS = 5.0


class Dispatcher:
    """Claims due rows only when a send slot and a rate token are free, keeps their lease while it
    sends them (in order per recipient), and records each outcome only while it holds the lease."""

    def __init__(
        self,
        ctx: AppContext,
        *,
        batch: int = 200,
        lease_seconds: float = 120,
        max_attempts: int = 8,
        retry_base: float = 2.0,
        retry_hours: float = 24.0,
        idle_seconds: float = 1.0,
        concurrency: int = 32,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.ctx = ctx
        self.batch, self.lease, self.concurrency = batch, timedelta(seconds=lease_seconds), concurrency
        self.policy = RetryPolicy(timedelta(hours=retry_hours), max_attempts, retry_base)
        self.idle_seconds = idle_seconds
        self.owner = uuid.uuid4().hex[:12]
        self._sleep = sleep
        self._wake = asyncio.Event()
        self.slots = SendSlots(concurrency)
        self._in_flight: set[asyncio.Task] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.budget = SendBudget()
        self._channels: dict[int, Channel] = {}  # integrations running here, as the last claim saw them
        self._backlog = False  # the last claim filled every free slot: more rows may be due
        self._sending: dict[int, str] = {}  # rows this process is sending -> their lease owner
        self._claimed: dict[int, Candidate] = {}
        self._window_closed: dict[int, str] = {}  # claimed rows the channel would refuse now -> why
        self._checked_interrupted_at = None
        self.records = SendRecords(ctx, self.policy)
        # Sends that end while others are being recorded are recorded together, in the next transaction.
        self._sent_marks = GroupCommit(ctx.engine, self.records.sent, "outbox-sent")

    def wake(self) -> None:
        """Send soon: callable from any thread (the pipeline stores replies in worker threads)."""
        if self._loop is not None:
            call_in_loop(self._loop, self._wake.set)

    def forget(self, integration_id: int) -> None:
        """Drop the rate state of a deleted integration."""
        self._channels.pop(integration_id, None)
        self.budget.forget(integration_id)

    # -- replies handed over directly (services.ports.DirectSend) --------------------------------------
    def reserve(self, integration_id: int, recipient: str) -> Reservation | None:
        """A free send slot and the rate tokens for a reply about to be stored, when both are free
        now: its row is then written leased to this process and sent without a claim (None: the
        row waits for a claim as usual). Callable from any thread."""
        channel = self._channels.get(integration_id)
        if self._loop is None or channel is None or not self.ctx.gateway().is_running(integration_id):
            return None
        candidate = Candidate(0, channel, recipient)
        if not self.slots.take():
            return None
        if not self.budget.take_if_free(candidate):
            self.slots.put_back()
            return None
        owner = f"{self.owner}:{uuid.uuid4().hex[:8]}"
        return Reservation(candidate, owner, self.ctx.clock.now() + self.lease)

    def release(self, reservation: Reservation) -> None:
        """A reservation not used after all (the row was not written leased): slot and tokens back."""
        self.budget.give_back(reservation.candidate)
        self.slots.put_back()
        if self._backlog:
            self.wake()

    def adopt(self, row: OutboxMessage, reservation: Reservation) -> None:
        """Send a row that was written leased to this process (in the event loop, after the commit)."""
        self._sending[row.id] = row.lease_owner
        self._claimed[row.id] = replace(reservation.candidate, row_id=row.id)
        self._start_send(row)

    def _start_send(self, row: OutboxMessage) -> None:
        """Send a row whose slot is taken; the slot is freed when the send ends."""
        task = asyncio.create_task(self._send(row))
        self._in_flight.add(task)
        task.add_done_callback(self._send_ended)

    def _send_ended(self, task: asyncio.Task) -> None:
        self._in_flight.discard(task)
        self.slots.put_back()
        if self._backlog:  # a free slot matters only when due rows were left for want of one
            self._wake.set()

    async def run(self) -> None:
        """Send until cancelled: claim as many rows as there are free send slots and rate tokens,
        then sleep until woken (new rows, a slot freed, a channel connected) or the next token of
        an integration with due rows; idle_seconds at most (rows written by other processes)."""
        self._loop = asyncio.get_running_loop()
        renewer = asyncio.create_task(self._keep_leases(), name="outbox-leases")
        try:
            while True:
                room = min(self.batch, self.slots.free())
                rows, token_wait = await self._claim_safely(room) if room > 0 else ([], None)
                self._backlog = room == 0 or len(rows) >= room
                for row in rows:
                    self._start_send(row)
                pause = self.idle_seconds
                if token_wait is not None:  # at the token (+1 ms: the token, not 0.9999 of it)
                    pause = min(pause, max(MIN_PAUSE, token_wait + 0.001))
                try:  # not wait_for: on 3.11 it can swallow a cancel that meets a wake-up
                    async with asyncio.timeout(pause):
                        await self._wake.wait()
                except TimeoutError:
                    pass
                self._wake.clear()
        finally:
            self._loop = None  # no more reservations
            if self._in_flight:  # stopping: sends under way record their outcome (channels stop first)
                await asyncio.wait(set(self._in_flight), timeout=SHUTDOWN_WAIT_SECONDS)
            renewer.cancel()

    async def dispatch_once(self) -> int:
        """Claim one batch and send all of it (tests and benchmarks); returns rows attempted."""
        renewer = asyncio.create_task(self._keep_leases())
        try:
            rows, _ = await self._claim_now(self.batch)
            for row in rows:
                self._start_send(row)
            await asyncio.gather(*list(self._in_flight))
        finally:
            renewer.cancel()
        return len(rows)

    async def _claim_safely(self, limit: int) -> tuple[list[OutboxMessage], float | None]:
        try:
            return await self._claim_now(limit)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the loop must survive a database hiccup
            log.exception("❌ Outbox dispatch failed; retrying")
            return [], None

    async def _claim_now(self, limit: int) -> tuple[list[OutboxMessage], float | None]:
        """Claim rows; tokens are taken for the rows really claimed, and the rows are registered
        as being sent by this process (never claimed again by it while they are)."""
        rows, chosen, held, empty, closed = await run_db(self.ctx.engine, self._claim, limit, frozenset(self._sending))
        self.slots.occupy(len(rows))  # each row keeps its slot until its send ends
        self._window_closed.update(closed)
        for row in rows:
            self.budget.take(chosen[row.id])
            self._sending[row.id], self._claimed[row.id] = row.lease_owner, chosen[row.id]
        waits = [self.budget.wait_time(held)] + [self.budget.channel_wait_time(channel) for channel in empty]
        return rows, min((wait for wait in waits if wait is not None), default=None)

    def _claim(self, limit: int, sending: frozenset[int]):
        """Lease due rows of integrations running here: the oldest per recipient (order is kept),
        conversation messages before campaigns, only as many as the rates allow now. Also returns
        what waits for a rate token (the next wake-up)."""
        now = self.ctx.clock.now()
        owner = f"{self.owner}:{uuid.uuid4().hex[:8]}"
        with session_scope(self.ctx.engine) as session:
            if self._checked_interrupted_at is None or now - self._checked_interrupted_at >= INTERRUPTED_CHECK:
                claims.give_up_interrupted(session, now)
                self._checked_interrupted_at = now
            channels = claims.running_channels(session, self.ctx.gateway().is_running)
            self._channels = channels
            ready = {i: channel for i, channel in channels.items() if self.budget.available(channel) >= 1}
            chosen, held = self._choose(session, ready, now, limit, set(sending))
            rows = claims.lease(session, [c.row_id for c in chosen], now, owner, now + self.lease)
            empty = claims.with_due_rows(session, [i for i in channels if i not in ready], now)
            gateway = self.ctx.gateway()
            windows = {i: w for i in {row.integration_id for row in rows} if (w := gateway.messaging_window(i))}
            closed = closed_windows(session, rows, windows, now) if windows else {}
        return rows, {c.row_id: c for c in chosen}, held, [channels[i] for i in empty], closed

    def _choose(self, session: Session, ready: dict, now, limit: int, sending: set[int]):
        """Rows the rates allow, fair across integrations. Candidates come in one global order, so
        the rows of one integration may all fall behind the cut: the next round asks again without
        the integrations already seen, until every due row of the rest was seen."""
        candidates: list[Candidate] = []
        remaining = dict(ready)
        while remaining:
            found = claims.due_candidates(session, remaining, now, limit * 4, sending)
            candidates += found
            if len(found) < limit * 4:
                break
            for candidate in found:
                remaining.pop(candidate.channel.integration_id, None)
        return self.budget.choose(claims.fair_order(candidates), limit)

    async def _keep_leases(self) -> None:
        """Renew the leases of the rows in flight, so no lease ends while its row is being sent."""
        while True:
            await self._sleep(self.lease.total_seconds() / 3)
            if self._sending:
                try:
                    await run_db(self.ctx.engine, self._renew, dict(self._sending))
                except asyncio.CancelledError:
                    raise
                except Exception:  # noqa: BLE001 - tried again at the next tick
                    log.exception("❌ Could not renew outbox leases; retrying")

    def _renew(self, owners: dict[int, str]) -> None:
        with session_scope(self.ctx.engine) as session:
            claims.renew(session, owners, self.ctx.clock.now() + self.lease)

    def _mark_started(self, row: OutboxMessage) -> None:
        with session_scope(self.ctx.engine) as session:
            session.exec(
                update(OutboxMessage)
                .where(OutboxMessage.id == row.id, OutboxMessage.lease_owner == row.lease_owner)
                .values(attempt_started_at=self.ctx.clock.now())
            )

    async def _send(self, row: OutboxMessage) -> bool:
        try:
            if row.kind in BULK_KINDS:
                await run_db(self.ctx.engine, self._mark_started, row)
            gateway = self.ctx.gateway()
            closed = self._window_closed.pop(row.id, None)
            try:
                if closed is not None:  # the channel would refuse it: failed with the reason, not sent
                    raise SendError(closed, transient=False)
                await self.ctx.loop_share.turn()
                result = await gateway.send_text(row.integration_id, row.recipient, row.text, start_part=row.parts_sent)
            except SendError as exc:
                if await run_db(self.ctx.engine, self.records.failed, row, exc) == Outcome.HELD or closed:
                    self.budget.give_back(self._claimed[row.id])  # nothing went out: the token is unused
                return False
            await self._sent_marks.submit((row, result))
            return True
        except Exception:  # noqa: BLE001 - the row's lease ends and it is handled again
            log.exception("❌ Sending outbox row %s crashed; it is handled again when its lease ends", row.id)
            return False
        finally:
            self._sending.pop(row.id, None)
            self._claimed.pop(row.id, None)
