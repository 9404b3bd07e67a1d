"""THE inbound pipeline: dedupe, route, store, then per conversation in order: decide and reply."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ai_agents.channels.base import InboundMessage
from ai_agents.core.retry import backoff_delay
from ai_agents.core.types import AlertKind, MessageStatus, Role
from ai_agents.db.models import Agent, Alert, Conversation, Integration, Message
from ai_agents.db.session import session_scope
from ai_agents.llm import ChatRequest, LLMError
from ai_agents.logs import get_logger
from ai_agents.services.agent_settings import AgentSettings, settings_of
from ai_agents.services.context import AppContext
from ai_agents.services.outbox import enqueue

log = get_logger("pipeline")


@dataclass
class Turn:
    """One customer message being handled, with what the stages decide about it."""

    conversation: Conversation
    message: Message
    agent: Agent
    settings: AgentSettings
    history: list[Message] = field(default_factory=list)
    replies: list[tuple[str, str]] = field(default_factory=list)  # (kind, text) to send
    stop_reason: str | None = None


class Pipeline:
    """Accepts inbound messages durably and answers them, one at a time per conversation."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        settings = ctx.settings
        self._llm_slots = asyncio.Semaphore(settings.max_concurrent_llm)
        self._workers: dict[int, asyncio.Task] = {}
        self._dirty: set[int] = set()
        self.sleep: Callable[[float], object] = asyncio.sleep

    # -- stage 1-3: accept ---------------------------------------------------------------------
    async def handle_inbound(self, inbound: InboundMessage) -> None:
        """Store the message (dedupe, route, conversation) and schedule its handling."""
        conversation_id = await asyncio.to_thread(self._accept, inbound)
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
            conversation.follow_ups_sent = 0
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
                message_id = await asyncio.to_thread(self._next_unhandled, conversation_id)
                if message_id is None:
                    if conversation_id not in self._dirty:
                        return
                    continue
                await self._handle(conversation_id, message_id)
        finally:
            if self._workers.get(conversation_id) is asyncio.current_task():
                del self._workers[conversation_id]

    def _next_unhandled(self, conversation_id: int) -> int | None:
        with session_scope(self.ctx.engine) as session:
            return session.exec(
                select(Message.id)
                .where(
                    Message.conversation_id == conversation_id,
                    Message.role == Role.USER,
                    Message.status == MessageStatus.RECEIVED,
                )
                .order_by(Message.id)
                .limit(1)
            ).first()

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
        for worker in list(self._workers.values()):
            worker.cancel()
        await asyncio.gather(*list(self._workers.values()), return_exceptions=True)

    # -- stages 4-7: decide and reply ---------------------------------------------------------------
    async def _handle(self, conversation_id: int, message_id: int) -> None:
        turn = await asyncio.to_thread(self._load_turn, conversation_id, message_id)
        for stage in STAGES:
            await stage(self, turn)
            if turn.stop_reason:
                break
        await asyncio.to_thread(self._finish, turn)

    def _load_turn(self, conversation_id: int, message_id: int) -> Turn:
        with session_scope(self.ctx.engine) as session:
            conversation = session.get(Conversation, conversation_id)
            agent = session.get(Agent, conversation.agent_id)
            history = session.exec(
                select(Message)
                .where(Message.conversation_id == conversation_id, Message.id <= message_id)
                .order_by(Message.id.desc())
                .limit(self.ctx.settings.history_messages)
            ).all()
            return Turn(
                conversation=conversation,
                message=session.get(Message, message_id),
                agent=agent,
                settings=settings_of(agent.settings),
                history=list(reversed(history)),
            )

    async def reply_with_llm(self, turn: Turn) -> None:
        """Stage: ask the agent's model, with retries; a lasting failure raises an alert."""
        api_key = self._api_key(turn.agent)
        if api_key is None:
            self._fail(turn, "the agent has no API key and OPENAI_API_KEY is not set")
            return
        request = ChatRequest(
            model=turn.agent.model,
            messages=prompt_messages(turn),
            api_key=api_key,
            base_url=turn.agent.base_url or self.ctx.settings.openai_base_url or None,
            temperature=turn.agent.temperature,
            timeout=self.ctx.settings.llm_timeout_seconds,
        )
        attempts = self.ctx.settings.llm_attempts
        for attempt in range(1, attempts + 1):
            try:
                async with self._llm_slots:
                    text = await self.ctx.llm.complete(request)
                turn.replies.append(("reply", text))
                return
            except LLMError as exc:
                if not exc.retryable or attempt == attempts:
                    self._fail(turn, f"{exc} (after {attempt} attempt{'s' if attempt > 1 else ''})")
                    return
                delay = max(exc.retry_after or 0, backoff_delay(attempt, base=self.ctx.settings.retry_base_seconds, cap=30))
                log.warning("⚠️  [AgentHandler] LLM call failed (%s); retry %s/%s in %.1fs", exc, attempt, attempts - 1, delay)
                await self.sleep(delay)

    def _api_key(self, agent: Agent) -> str | None:
        if agent.api_key_encrypted:
            return self.ctx.box.decrypt(agent.api_key_encrypted)
        return self.ctx.settings.openai_api_key or None

    def _fail(self, turn: Turn, reason: str) -> None:
        turn.stop_reason = f"failed: {reason}"
        log.error("❌ [AgentHandler] No reply for conversation %s: %s", turn.conversation.id, reason)

    def _finish(self, turn: Turn) -> None:
        """Store the outcome in one transaction: replies and their outbox rows, message state."""
        now = self.ctx.clock.now()
        failed = (turn.stop_reason or "").startswith("failed: ")
        with session_scope(self.ctx.engine) as session:
            message = session.get(Message, turn.message.id)
            conversation = session.get(Conversation, turn.conversation.id)
            for field_name in ("language", "translation", "sentiment"):
                setattr(message, field_name, getattr(turn.message, field_name))
            for column in ("language", "manual_mode", "manual_reason", "escalated", "away_period_key"):
                setattr(conversation, column, getattr(turn.conversation, column))
            message.status = MessageStatus.FAILED if failed else MessageStatus.HANDLED
            if failed:
                reason = turn.stop_reason.removeprefix("failed: ")
                message.error = conversation.last_error = reason
                session.add(Alert(kind=AlertKind.LLM_FAILURE, severity="critical", agent_id=conversation.agent_id,
                                  conversation_id=conversation.id, message_id=message.id,
                                  text=f"No AI reply to a customer message: {reason}", created_at=now))  # fmt: skip
            for index, (kind, text) in enumerate(turn.replies):
                queue_reply(session, self.ctx, conversation, text, kind=kind, key=f"{kind}:{message.id}:{index}")
        if turn.replies and self.ctx.outbox_wakeup:
            self.ctx.outbox_wakeup()
        self.ctx.live.publish("conversation", conversation_id=turn.conversation.id)


def route(session: Session, inbound: InboundMessage) -> Integration | None:
    """Stage 2: the integration (and so the agent) a message belongs to."""
    return session.get(Integration, inbound.integration_id)


def conversation_for(session: Session, integration: Integration, inbound: InboundMessage, now) -> Conversation:
    """Stage 3: one conversation per (integration, remote chat), created on first contact."""
    query = select(Conversation).where(
        Conversation.integration_id == integration.id, Conversation.remote_id == inbound.remote_id
    )
    conversation = session.exec(query).first()
    if conversation is not None:
        return conversation
    conversation = Conversation(
        agent_id=integration.agent_id,
        integration_id=integration.id,
        channel=integration.channel,
        remote_id=inbound.remote_id,
        contact_name=inbound.sender_name,
        contact_username=inbound.sender_username,
        created_at=now,
        last_message_at=now,
    )
    try:
        with session.begin_nested():
            session.add(conversation)
    except IntegrityError:  # created at the same moment by another writer
        return session.exec(query).one()
    return conversation


def prompt_messages(turn: Turn) -> list[dict[str, str]]:
    """System prompt, then the conversation in the agent's language."""
    messages = [{"role": "system", "content": turn.agent.system_prompt}] if turn.agent.system_prompt else []
    for item in turn.history:  # the current message is turn.message itself (same session)
        role = "user" if item.role == Role.USER else "assistant"
        messages.append({"role": role, "content": item.translation or item.text})
    return messages


def queue_reply(session: Session, ctx: AppContext, conversation: Conversation, text: str, *, kind: str, key: str) -> Message:
    """Store an outgoing message of the agent and its outbox row (idempotent by key)."""
    now = ctx.clock.now()
    message = Message(conversation_id=conversation.id, integration_id=conversation.integration_id,
                      role=Role.ASSISTANT if kind == "reply" else Role.SYSTEM, kind=kind, text=text,
                      language=conversation.language, status=MessageStatus.QUEUED, created_at=now)  # fmt: skip
    session.add(message)
    session.flush()
    enqueue(session, ctx, idempotency_key=key, integration_id=conversation.integration_id,
            recipient=conversation.remote_id, text=text, kind=kind, conversation_id=conversation.id,
            message_id=message.id)  # fmt: skip
    conversation.last_message_at = conversation.last_agent_message_at = now
    return message


async def skip_inactive_agent(pipeline: Pipeline, turn: Turn) -> None:
    if not turn.agent.is_active:
        turn.stop_reason = "agent inactive"
        log.info("⏸️  [AgentHandler] Agent %s is inactive; no reply", turn.agent.name)


async def stop_in_manual_mode(pipeline: Pipeline, turn: Turn) -> None:
    if turn.conversation.manual_mode:
        turn.stop_reason = "manual mode"
        log.info("👤 [AgentHandler] Conversation %s is in manual mode; the AI stays silent", turn.conversation.id)


async def reply(pipeline: Pipeline, turn: Turn) -> None:
    await pipeline.reply_with_llm(turn)


# The stages after a message is stored, in order; each may set turn.stop_reason.
STAGES = [skip_inactive_agent, stop_in_manual_mode, reply]
