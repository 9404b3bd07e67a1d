"""THE inbound pipeline: dedupe, route, store, then per conversation in order: decide and reply."""

from __future__ import annotations

import asyncio
from typing import Callable

from sqlmodel import select

from ai_agents.channels.base import InboundMessage
from ai_agents.core.retry import backoff_delay
from ai_agents.core.types import AlertKind, MessageStatus, Role
from ai_agents.db.models import Agent, Alert, Conversation, Message, Note
from ai_agents.db.session import run_db, session_scope
from ai_agents.llm import ChatRequest, LLMError
from ai_agents.logs import get_logger
from ai_agents.services import behaviours
from ai_agents.services.agent_settings import settings_of
from ai_agents.services.alert_delivery import deliver_alerts
from ai_agents.services.context import AppContext
from ai_agents.services.outbox import queue_message
from ai_agents.services.routing import conversation_for, route
from ai_agents.services.translation import llm_access, translate_for_agent
from ai_agents.services.turn import Reply, Turn

log = get_logger("pipeline")


class Pipeline:
    """Accepts inbound messages durably and answers them, one at a time per conversation."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        settings = ctx.settings
        self._llm_slots = asyncio.Semaphore(settings.max_concurrent_llm)
        self._workers: dict[int, asyncio.Task] = {}
        self._dirty: set[int] = set()
        self._side_jobs: set[asyncio.Task] = set()
        self.sleep: Callable[[float], object] = asyncio.sleep

    # -- stage 1-3: accept ---------------------------------------------------------------------
    async def handle_inbound(self, inbound: InboundMessage) -> None:
        """Store the message (dedupe, route, conversation) and schedule its handling."""
        conversation_id = await run_db(self.ctx.engine, self._accept, inbound)
        if conversation_id is not None:
            self.kick(conversation_id)

    def _accept(self, inbound: InboundMessage) -> int | None:
        now = self.ctx.clock.now()
        with session_scope(self.ctx.engine) as session:
            integration = route(session, inbound)
            if integration is None:
                log.warning("⚠️  [AgentHandler] No integration for message %s; dropped", inbound.external_id)
                return None
            if session.exec(
                select(Message.id).where(
                    Message.integration_id == integration.id, Message.external_id == inbound.external_id
                )
            ).first():
                log.debug("Duplicate delivery of %s ignored", inbound.external_id)
                return None
            conversation = conversation_for(session, integration, inbound, now)
            message = Message(
                conversation_id=conversation.id,
                integration_id=integration.id,
                role=Role.USER,
                text=inbound.text,
                language=conversation.language,
                external_id=inbound.external_id,
                status=MessageStatus.RECEIVED,
                created_at=now,
            )
            session.add(message)
            conversation.last_message_at = conversation.last_customer_message_at = now
            conversation.follow_ups_sent, conversation.follow_up_state = 0, None  # a reply restarts follow-ups
            if inbound.sender_name:
                conversation.contact_name = inbound.sender_name
            session.flush()
            conversation_id, message_id = conversation.id, message.id
        log.info("💬 [AgentHandler] Processing message from %s (conversation %s)", inbound.remote_id, conversation_id)
        self.ctx.live.publish("message", conversation_id=conversation_id, message_id=message_id)
        return conversation_id

    # -- per-conversation workers ------------------------------------------------------------------
    def kick(self, conversation_id: int) -> None:
        """Make sure the conversation's worker runs; it handles every unhandled message in order."""
        self._dirty.add(conversation_id)
        worker = self._workers.get(conversation_id)
        if worker is None or worker.done():
            self._workers[conversation_id] = asyncio.create_task(
                self._work(conversation_id), name=f"conversation-{conversation_id}"
            )

    async def _work(self, conversation_id: int) -> None:
        try:
            while True:
                self._dirty.discard(conversation_id)
                turn = await run_db(self.ctx.engine, self._next_turn, conversation_id)
                if turn is None:
                    if conversation_id not in self._dirty:
                        return
                    continue
                await self._handle(turn)
        finally:
            if self._workers.get(conversation_id) is asyncio.current_task():
                del self._workers[conversation_id]

    def _next_turn(self, conversation_id: int) -> Turn | None:
        """The oldest unhandled customer message of the conversation, with what handling needs."""
        with session_scope(self.ctx.engine) as session:
            message = session.exec(
                select(Message)
                .where(
                    Message.conversation_id == conversation_id,
                    Message.role == Role.USER,
                    Message.status == MessageStatus.RECEIVED,
                )
                .order_by(Message.id)
                .limit(1)
            ).first()
            if message is None:
                return None
            conversation = session.get(Conversation, conversation_id)
            agent = session.get(Agent, conversation.agent_id)
            history = session.exec(
                select(Message)
                .where(Message.conversation_id == conversation_id, Message.id <= message.id)
                .order_by(Message.id.desc())
                .limit(self.ctx.settings.history_messages)
            ).all()
            return Turn(
                conversation=conversation,
                message=message,
                agent=agent,
                settings=settings_of(agent.settings),
                history=list(reversed(history)),
            )

    async def resume(self) -> int:
        """After a restart: handle every message that was stored but not yet handled."""
        with session_scope(self.ctx.engine) as session:
            ids = session.exec(
                select(Message.conversation_id)
                .where(Message.role == Role.USER, Message.status == MessageStatus.RECEIVED)
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
        for stage in STAGES:
            await stage(self, turn)
            if turn.stop_reason:
                break
        alert_ids = await run_db(self.ctx.engine, self._finish, turn)
        if alert_ids:
            self._background(deliver_alerts(self.ctx, alert_ids, turn.settings.sentiment))

    def _background(self, coroutine) -> None:
        """Run a side job (alert delivery) without holding up the conversation; kept until done."""
        task = asyncio.create_task(coroutine)
        self._side_jobs.add(task)
        task.add_done_callback(self._side_jobs.discard)

    async def reply_with_llm(self, turn: Turn) -> None:
        """Stage: ask the agent's model, with retries; a lasting failure raises an alert."""
        api_key, base_url = llm_access(self.ctx, turn.agent)
        if api_key is None:
            self._fail(turn, "the agent has no API key and OPENAI_API_KEY is not set")
            return
        request = ChatRequest(
            model=turn.agent.model,
            messages=prompt_messages(turn),
            api_key=api_key,
            base_url=base_url,
            temperature=turn.agent.temperature,
            timeout=self.ctx.settings.llm_timeout_seconds,
        )
        attempts = self.ctx.settings.llm_attempts
        for attempt in range(1, attempts + 1):
            try:
                async with self._llm_slots:
                    text = await self.ctx.llm.complete(request)
                turn.replies.append(await self.outgoing(turn, "reply", text))
                return
            except LLMError as exc:
                if not exc.retryable or attempt == attempts:
                    self._fail(turn, f"{exc} (after {attempt} attempt{'s' if attempt > 1 else ''})")
                    return
                delay = max(exc.retry_after or 0, backoff_delay(attempt, base=self.ctx.settings.retry_base_seconds, cap=30))
                log.warning("⚠️  [AgentHandler] LLM call failed (%s); retry %s/%s in %.1fs", exc, attempt, attempts - 1, delay)
                await self.sleep(delay)

    async def translate(self, turn: Turn, text: str, source: str, target: str) -> str | None:
        """The text translated with the agent's model (an LLM slot), or None when that fails."""
        async with self._llm_slots:
            return await translate_for_agent(self.ctx, turn.agent, text, source, target)

    async def outgoing(self, turn: Turn, kind: str, text: str) -> Reply:
        """A reply in the customer's language when outgoing translation is on."""
        translation = turn.settings.translation
        source, target = translation.source_language, turn.conversation.language
        if not (translation.enabled and translation.translate_outgoing and target and target != source):
            return Reply(kind, text)
        translated = await self.translate(turn, text, source, target)
        if translated is None:
            return Reply(kind, text)
        if kind == "reply":
            log.info("🔄 [AgentService] Translated outgoing response from %s to %s", source, target)
        return Reply(kind, translated, translation=text)

    def _fail(self, turn: Turn, reason: str) -> None:
        turn.stop_reason = f"failed: {reason}"
        log.error("❌ [AgentHandler] No reply for conversation %s: %s", turn.conversation.id, reason)

    def _finish(self, turn: Turn) -> list[int]:
        """Store the outcome in one transaction: replies and outbox rows, message state, alerts;
        returns the ids of the alerts raised."""
        now = self.ctx.clock.now()
        failed = (turn.stop_reason or "").startswith("failed: ")
        with session_scope(self.ctx.engine) as session:
            message = session.get(Message, turn.message.id)
            conversation = session.get(Conversation, turn.conversation.id)
            for field_name in ("language", "translation", "sentiment"):
                setattr(message, field_name, getattr(turn.message, field_name))
            for column in ("language", "manual_mode", "manual_reason", "escalated", "away_period_key", "opted_out"):
                setattr(conversation, column, getattr(turn.conversation, column))
            message.status = MessageStatus.FAILED if failed else MessageStatus.HANDLED
            if failed:
                reason = turn.stop_reason.removeprefix("failed: ")
                message.error = conversation.last_error = reason
                session.add(Alert(kind=AlertKind.LLM_FAILURE, severity="critical", agent_id=conversation.agent_id,
                                  conversation_id=conversation.id, message_id=message.id,
                                  text=f"No AI reply to a customer message: {reason}", created_at=now))  # fmt: skip
            session.add_all(turn.alerts)
            for note in turn.notes:
                session.add(Note(conversation_id=conversation.id, author="system", text=note, created_at=now))
            for index, item in enumerate(turn.replies):
                role = Role.ASSISTANT if item.kind == "reply" else Role.SYSTEM
                queue_message(session, self.ctx, conversation, role=role, kind=item.kind, text=item.text,
                              translation=item.translation, key=f"{item.kind}:{message.id}:{index}")  # fmt: skip
            session.flush()
            alert_ids = [alert.id for alert in turn.alerts]
        if turn.replies and self.ctx.outbox_wakeup:
            self.ctx.outbox_wakeup()
        self.ctx.live.publish("conversation", conversation_id=turn.conversation.id)
        return alert_ids


def prompt_messages(turn: Turn) -> list[dict[str, str]]:
    """System prompt, then the conversation in the agent's language."""
    messages = [{"role": "system", "content": turn.agent.system_prompt}] if turn.agent.system_prompt else []
    for item in turn.history:  # the current message is turn.message itself (same session)
        role = "user" if item.role == Role.USER else "assistant"
        messages.append({"role": role, "content": item.translation or item.text})
    return messages


async def skip_inactive_agent(pipeline: Pipeline, turn: Turn) -> None:
    if not turn.agent.is_active:
        turn.stop_reason = "agent inactive"
        log.info("⏸️  [AgentHandler] Agent %s is inactive; no reply", turn.agent.name)


async def stop_in_manual_mode(pipeline: Pipeline, turn: Turn) -> None:
    if turn.conversation.manual_mode:
        turn.stop_reason = "manual mode"
        log.info("👤 [AgentHandler] Conversation %s is in manual mode; the AI stays silent", turn.conversation.id)




async def reply(pipeline: Pipeline, turn: Turn) -> None:
    """Stage: the agent's answer, translated to the customer's language when that is on."""
    await pipeline.reply_with_llm(turn)


# The stages after a message is stored, in order; each may set turn.stop_reason to end the turn.
STAGES = [
    skip_inactive_agent,
    stop_in_manual_mode,
    behaviours.handle_opt_out,
    behaviours.detect_language_and_translate,
    behaviours.score_sentiment,
    behaviours.check_working_hours,
    reply,
]
