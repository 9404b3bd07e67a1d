"""THE inbound pipeline: dedupe, route, store, then per conversation in order: decide and reply."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import text as sql_text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from ai_agents.core.retry import backoff_delay
from ai_agents.db.group_commit import GroupCommit
from ai_agents.db.models import WAITING_CONDITION, Agent, Message
from ai_agents.db.session import run_db, session_scope
from ai_agents.logs import get_logger, redact
from ai_agents.services.context import AppContext
from ai_agents.services.inbound.accept import Accepted, store
from ai_agents.services.inbound.stage_context import StageContext
from ai_agents.services.inbound.stages import STAGES
from ai_agents.services.inbound.turn import Turn
from ai_agents.services.inbound.turn_loader import next_turn
from ai_agents.services.inbound.turn_outcome import Outcome, store_failure, store_outcomes
from ai_agents.services.llm_access import llm_access, missing_key_reason
from ai_agents.services.outbound.alert_delivery import deliver_alerts
from ai_agents.services.ports import ChatRequest, InboundMessage, complete_within_deadline
from ai_agents.services.translation import translate_for_agent

T = TypeVar("T")

log = get_logger("pipeline")


class Pipeline:
    """Accepts inbound messages durably and answers them, one at a time per conversation."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        settings = ctx.settings
        self._llm_slots = asyncio.Semaphore(settings.max_concurrent_llm)
        self._workers: dict[int, asyncio.Task] = {}
        self._dirty: set[int] = set()
        self._ready: dict[int, Turn] = {}  # conversation -> its next turn, read by the last write
        self._side_jobs: set[asyncio.Task] = set()
        self.sleep: Callable[[float], Awaitable[object]] = asyncio.sleep  # tests advance a ManualClock
        self.stages = list(STAGES)
        # Group commit: what arrives, and what is decided, while a transaction runs goes into the next.
        self.arrivals: GroupCommit[InboundMessage, Accepted | None] = GroupCommit(
            ctx.engine, partial(store, ctx, idle=self._idle), "accept")
        self.outcomes: GroupCommit[tuple[Turn, Any], Outcome] = GroupCommit(
            ctx.engine, partial(store_outcomes, ctx), "outcomes")

    # -- stage 1-3: accept ---------------------------------------------------------------------
    async def handle_inbound(self, inbound: InboundMessage) -> None:
        """Store the message (dedupe, route, conversation) and schedule its handling. Messages
        that arrive together are stored in one transaction."""
        accepted = await self.arrivals.submit(inbound)
        if accepted is None:
            return
        log.info("💬 [AgentHandler] Processing message from %s (conversation %s)",
                 accepted.remote_id, accepted.conversation_id)
        self.ctx.live.publish("message", conversation_id=accepted.conversation_id, message_id=accepted.message_id)
        self.kick(accepted.conversation_id, accepted.turn)

    # -- per-conversation workers ------------------------------------------------------------------
    def _idle(self, conversation_id: int) -> bool:
        worker = self._workers.get(conversation_id)
        return worker is None or worker.done()

    def kick(self, conversation_id: int, turn: Turn | None = None) -> None:
        """Make sure the conversation's worker runs; it handles every unhandled message in order
        (`turn`: the next one, already read)."""
        if turn is not None:
            self._ready.setdefault(conversation_id, turn)
        self._dirty.add(conversation_id)
        worker = self._workers.get(conversation_id)
        if worker is None or worker.done():
            self._workers[conversation_id] = asyncio.create_task(
                self._work(conversation_id), name=f"conversation-{conversation_id}"
            )

    async def _work(self, conversation_id: int) -> None:
        """Handle the conversation's messages until none is left. An error that is not the turn's
        own (the database is down) is logged once and retried with backoff, never given up on."""
        failures = 0
        try:
            while True:
                self._dirty.discard(conversation_id)
                try:
                    turn, more = self._ready.pop(conversation_id, None), False
                    if turn is None:
                        turn, more = await run_db(self.ctx.engine, self._next_turn, conversation_id)
                    if turn is not None:
                        await self._handle(turn)
                        more = more or conversation_id in self._ready
                except Exception as exc:  # noqa: BLE001 - the worker must outlive any error
                    failures += 1
                    if failures == 1:
                        log.error("❌ [AgentHandler] Conversation %s: %s; retrying", conversation_id, describe_error(exc))
                    self._dirty.add(conversation_id)
                    await self.sleep(backoff_delay(failures, base=self.ctx.settings.retry_base_seconds, cap=60))
                    continue
                if failures:
                    log.info("✅ [AgentHandler] Conversation %s: handling resumed after %s failures", conversation_id, failures)
                    failures = 0
                if not more and conversation_id not in self._dirty:
                    return  # nothing was left, and nothing arrived since (kick marks it dirty)
        finally:
            if self._workers.get(conversation_id) is asyncio.current_task():
                del self._workers[conversation_id]
                self._ready.pop(conversation_id, None)  # a restarted worker reads afresh

    def _next_turn(self, conversation_id: int) -> tuple[Turn | None, bool]:
        """The oldest unhandled customer message of the conversation, with what handling needs,
        and whether another one waits behind it (so the worker need not look again)."""
        with session_scope(self.ctx.engine) as session:
            return next_turn(session, conversation_id, self.ctx.settings.history_messages)

    async def resume(self) -> int:
        """After a restart: handle every message that was stored but not yet handled."""
        with session_scope(self.ctx.engine) as session:
            ids = session.exec(
                select(Message.conversation_id)
                .where(sql_text(WAITING_CONDITION))
                .distinct()
            ).all()
        for conversation_id in ids:
            self.kick(conversation_id)
        return len(ids)

    async def drain(self) -> None:
        """Wait until every worker is idle (tests, graceful stop)."""
        while self._workers:
            await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    async def stop(self) -> None:
        tasks = [*self._workers.values(), *self._side_jobs]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- stages 4-7: decide and reply ---------------------------------------------------------------
    async def _handle(self, turn: Turn) -> None:
        """Run the stages, then store the outcome. Any error of a stage fails the message with
        a reason and an alert; the worker goes on with the next message."""
        tools = self.stage_context()
        for stage in self.stages:
            try:
                await stage(tools, turn)
            except Exception as exc:  # noqa: BLE001 - a failed turn must never block the chat
                turn.fail(f"internal error in stage {stage.__name__}: {describe_error(exc)}")
            if turn.stop_reason:
                break
        if turn.failure:
            log.error("❌ [AgentHandler] No reply for conversation %s: %s", turn.conversation.id, turn.failure)
        direct, reservation, outcome = self.ctx.direct_send, None, Outcome(stored=True)
        if direct is not None and len(turn.replies) == 1:
            reservation = direct.reserve(turn.conversation.integration_id, turn.conversation.remote_id)
        try:
            outcome = await self.outcomes.submit((turn, reservation))
        except Exception as exc:  # noqa: BLE001 - then at least the message is failed, with an alert
            reason = f"the outcome could not be stored: {describe_error(exc)}"
            log.error("❌ [AgentHandler] No reply for conversation %s: %s", turn.conversation.id, reason)
            await run_db(self.ctx.engine, store_failure, self.ctx, turn, reason)
        finally:
            if outcome.handed is not None:
                direct.adopt(outcome.handed, reservation)  # sent now: no claim, no wake-up
            elif reservation is not None:
                direct.release(reservation)
        if not outcome.stored:
            self._dirty.add(turn.conversation.id)  # handle the message again, on the fresh state
            return
        if outcome.next_turn is not None:
            self._ready.setdefault(turn.conversation.id, outcome.next_turn)
        if outcome.queued and outcome.handed is None and self.ctx.outbox_wakeup:
            self.ctx.outbox_wakeup()
        self.ctx.live.publish("conversation", conversation_id=turn.conversation.id)
        for alert_id in outcome.alert_ids:
            self.ctx.live.publish("alert", alert_id=alert_id, conversation_id=turn.conversation.id)
        if outcome.alert_ids:
            self._background(deliver_alerts(self.ctx, outcome.alert_ids, turn.settings.sentiment))

    def _background(self, coroutine) -> None:
        """Run a side job (alert delivery) without holding up the conversation; kept until done."""
        task = asyncio.create_task(coroutine)
        self._side_jobs.add(task)
        task.add_done_callback(self._side_jobs.discard)

    def stage_context(self) -> StageContext:
        """What the stages get: settings, clock, the LLM within its slots, translation, sleep."""
        ctx = self.ctx
        return StageContext(
            settings=ctx.settings,
            clock=ctx.clock,
            complete=self._complete,
            translate=self._translate,
            llm_access=partial(llm_access, ctx),
            missing_key_reason=partial(missing_key_reason, ctx),
            sleep=self.sleep,
        )

    async def _complete(self, request: ChatRequest) -> str:
        """One LLM call in an LLM slot, within its total deadline (LLMError otherwise)."""
        return await self._llm_call(partial(complete_within_deadline, self.ctx.llm, request))

    async def _translate(self, agent: Agent, text: str, source: str, target: str) -> str | None:
        """The text translated with the agent's model (an LLM slot), or None when that fails."""
        return await self._llm_call(partial(translate_for_agent, self.ctx, agent, text, source, target))

    async def _llm_call(self, call: Callable[[], Awaitable[T]]) -> T:
        """The call in an LLM slot; building its request and reading its answer take turns on the
        loop with the other turns (LoopShare), so a burst of them does not hold the loop."""
        async with self._llm_slots:
            await self.ctx.loop_share.turn()
            result = await call()
        await self.ctx.loop_share.turn()
        return result


def describe_error(exc: BaseException) -> str:
    """An error in words a person can act on, without secrets (nor SQL with its parameters)."""
    if isinstance(exc, SQLAlchemyError):
        cause = getattr(exc, "orig", None) or exc
        first_line = (str(cause).strip().splitlines() or [""])[0][:200]
        return redact(f"database error ({type(cause).__name__}: {first_line})")
    return redact(f"{type(exc).__name__}: {str(exc)[:300]}")
