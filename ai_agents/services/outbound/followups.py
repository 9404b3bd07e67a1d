"""Follow-ups: nudges for customers who went silent after the agent's message, queued when due."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, type_coerce
from sqlmodel import select

from ai_agents.core import working_hours
from ai_agents.core.types import Role
from ai_agents.db.models import Agent, Conversation
from ai_agents.db.session import run_db, session_scope
from ai_agents.db.types import UTCDateTime
from ai_agents.logs import get_logger
from ai_agents.services.agent_settings import AgentSettings, schedule_of, settings_of
from ai_agents.services.context import AppContext
from ai_agents.services.outbound.outbox_batch import Outgoing, queue_many
from ai_agents.services.translation import translate_for_agent

log = get_logger("followups")
BATCH = 500
# Silence starts with the last message of either side: a follow-up is never judged in the gap
# between a customer's message and the agent's answer to it.
SILENT_SINCE = case(
    (Conversation.last_customer_message_at > Conversation.last_agent_message_at, Conversation.last_customer_message_at),
    else_=Conversation.last_agent_message_at,
)
WAITING = (
    Conversation.follow_up_state.is_(None),
    ~Conversation.manual_mode,
    ~Conversation.escalated,
    ~Conversation.opted_out,
)
RETRY_SECONDS = 1.0  # after an error, or when the database says due but nothing could be queued
SETTLE_SECONDS = 0.2  # after a wake-up, so a burst of messages costs one look, not one each


@dataclass(frozen=True)
class FollowUp:
    conversation_id: int
    number: int  # 1 for the first follow-up of the current silence
    text: str
    language: str | None
    key: str


async def run_follow_ups(ctx: AppContext) -> int:
    """One tick: find what is due, translate where needed, queue; returns how many were queued."""
    plans = await run_db(ctx.engine, _due, ctx)
    queued = 0
    for agent, settings, jobs in plans:
        translated: dict[tuple[str, str], str] = {}
        source = settings.translation.source_language
        texts = []
        for job in jobs:
            text = job.text
            if settings.translation.enabled and job.language and job.language != source:
                cache_key = (text, job.language)
                if cache_key not in translated:
                    translated[cache_key] = await translate_for_agent(ctx, agent, text, source, job.language) or text
                text = translated[cache_key]
            texts.append(text)
        queued += await run_db(ctx.engine, _queue, ctx, list(zip(jobs, texts)))
    if queued and ctx.outbox_wakeup:
        ctx.outbox_wakeup()
    return queued


def _due(ctx: AppContext) -> list[tuple[Agent, AgentSettings, list[FollowUp]]]:
    """Per agent with follow-ups on: the follow-ups due now; marks finished sequences."""
    now = ctx.clock.now()
    plans = []
    with session_scope(ctx.engine) as session:
        for agent in session.exec(select(Agent).where(Agent.is_active)):
            settings = settings_of(agent.settings)
            follow = settings.follow_up
            if not follow.enabled:
                continue
            if settings.working_hours.enabled and not working_hours.is_open(schedule_of(settings), now):
                continue  # never nudge a customer while the business is closed; they wait
            cutoff = now - timedelta(minutes=follow.delay_minutes)
            waiting = select(Conversation).where(Conversation.agent_id == agent.id, SILENT_SINCE <= cutoff, *WAITING)
            candidates = session.exec(waiting.order_by(Conversation.id).limit(BATCH))
            jobs = []
            for conversation in candidates:
                replied = conversation.last_customer_message_at is not None and (
                    conversation.last_customer_message_at > conversation.last_agent_message_at
                )
                if follow.only_if_no_reply and replied:
                    log.info(
                        "⏭️  Follow-up worker: User replied, skipping follow-up (%s)", conversation.remote_id
                    )
                    conversation.follow_up_state = "done"
                elif conversation.follow_ups_sent >= follow.max_follow_ups:
                    log.info("⏭️  Follow-up worker: Max follow-ups reached (%s)", conversation.remote_id)
                    conversation.follow_up_state = "done"
                else:
                    number = conversation.follow_ups_sent + 1
                    anchor = (
                        conversation.last_customer_message_at.isoformat()
                        if conversation.last_customer_message_at
                        else "-"
                    )
                    text = follow.messages[min(number, len(follow.messages)) - 1]
                    jobs.append(
                        FollowUp(
                            conversation.id,
                            number,
                            text,
                            conversation.language,
                            key=f"follow_up:{conversation.id}:{anchor}:{number}",
                        )
                    )
            if jobs:
                plans.append((agent, settings, jobs))
    return plans


def _queue(ctx: AppContext, jobs: list[tuple[FollowUp, str]]) -> int:
    """Queue a batch of follow-ups (with their final texts) in one transaction; returns how many."""
    with session_scope(ctx.engine) as session:
        ids = [job.conversation_id for job, _ in jobs]
        conversations = {c.id: c for c in session.exec(select(Conversation).where(Conversation.id.in_(ids)))}
        items, numbers = [], {}
        for job, text in jobs:
            conversation = conversations.get(job.conversation_id)
            if conversation is None or conversation.follow_ups_sent >= job.number or conversation.manual_mode:
                continue  # another process queued it, or the state changed meanwhile
            items.append(Outgoing(conversation, Role.SYSTEM, "follow_up", text, job.key,
                                  translation=job.text if text != job.text else None))
            numbers[conversation.id] = job.number
        queued = queue_many(session, ctx, items)
        for item in queued:
            item.conversation.follow_ups_sent = numbers[item.conversation.id]
        queued_to = [item.conversation.remote_id for item in queued]
    for remote in queued_to:
        log.info("📢 Follow-up worker: Sending follow-up to %s", remote)
    return len(queued_to)


def next_due_at(ctx: AppContext) -> datetime | None:
    """The earliest moment a follow-up is due (working hours considered); None if none waits."""
    now = ctx.clock.now()
    earliest: datetime | None = None
    with session_scope(ctx.engine) as session:
        for agent in session.exec(select(Agent).where(Agent.is_active)):
            settings = settings_of(agent.settings)
            if not settings.follow_up.enabled:
                continue
            oldest = type_coerce(func.min(SILENT_SINCE), UTCDateTime)
            silent_since = session.exec(select(oldest).where(Conversation.agent_id == agent.id, *WAITING)).one()
            if silent_since is None:
                continue
            due = max(silent_since + timedelta(minutes=settings.follow_up.delay_minutes), now)
            if settings.working_hours.enabled:
                due = working_hours.next_open(schedule_of(settings), due)
            if due is not None and (earliest is None or due < earliest):
                earliest = due
    return earliest


class FollowUpScheduler:
    """Queues follow-ups at their due time: sleeps until the earliest one is due, at most
    max_wait (the safety net for changes nobody announces, such as settings), and is woken
    early by new messages and takeovers, which change what is due."""

    WAKE_ON = ("message", "conversation")  # live events: customer, agent or manager message; takeover

    def __init__(
        self, ctx: AppContext, *, max_wait: float, sleep: Callable[[float], Awaitable[None]] | None = None
    ) -> None:
        self.ctx, self.max_wait = ctx, max_wait
        self._sleep = sleep or asyncio.sleep
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._failures = 0  # passes failed in a row: the retry backs off up to max_wait

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name="follow-ups")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def run(self) -> None:
        """Until cancelled: queue what is due, then sleep until the next due time or a wake-up."""
        async with self.ctx.live.subscribe() as events:
            listener = asyncio.create_task(self._listen(events), name="follow-up-wakeups")
            try:
                while True:
                    await self._nap(await self.run_due())
            finally:
                listener.cancel()

    async def run_due(self) -> float:
        """Queue every follow-up due now; returns the seconds until the next one (at most max_wait)."""
        queued_nothing = False
        try:
            while True:
                due = await run_db(self.ctx.engine, next_due_at, self.ctx)
                wait = self.max_wait if due is None else (due - self.ctx.clock.now()).total_seconds()
                if wait > 0 or queued_nothing:  # due by the database, yet nothing to queue: never spin
                    self._failures = 0
                    return min(wait if wait > 0 else RETRY_SECONDS, self.max_wait)
                queued_nothing = await run_follow_ups(self.ctx) == 0
        except Exception:  # noqa: BLE001 - the worker must survive a database hiccup
            self._failures += 1
            delay = min(RETRY_SECONDS * 2 ** (self._failures - 1), self.max_wait)
            log.exception("❌ Follow-up worker failed; retrying in %.0fs", delay)
            return delay

    async def _listen(self, events: asyncio.Queue) -> None:
        while True:
            if (await events.get())["kind"] in self.WAKE_ON:
                self._wake.set()

    async def _nap(self, seconds: float) -> None:
        """Sleep the given seconds unless woken first; a wake-up settles briefly to collect a burst."""
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, woken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            woken.cancel()
        if self._wake.is_set():
            self._wake.clear()
            await self._sleep(min(SETTLE_SECONDS, seconds))
