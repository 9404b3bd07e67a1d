"""Follow-ups: a scheduler tick that nudges customers who went silent after the agent's message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import select

from ai_agents.core import working_hours
from ai_agents.core.types import Role
from ai_agents.db.models import Agent, Conversation
from ai_agents.db.session import run_db, session_scope
from ai_agents.logs import get_logger
from ai_agents.services.agent_settings import AgentSettings, schedule_of, settings_of
from ai_agents.services.context import AppContext
from ai_agents.services.outbox import queue_message
from ai_agents.services.translation import translate_for_agent

log = get_logger("followups")
BATCH = 500


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
        for job in jobs:
            text = job.text
            if settings.translation.enabled and job.language and job.language != source:
                cache_key = (text, job.language)
                if cache_key not in translated:
                    translated[cache_key] = await translate_for_agent(ctx, agent, text, source, job.language) or text
                text = translated[cache_key]
            queued += await run_db(ctx.engine, _queue, ctx, job, text)
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
            candidates = session.exec(
                select(Conversation).where(
                    Conversation.agent_id == agent.id,
                    Conversation.last_agent_message_at <= cutoff,
                    Conversation.follow_up_state.is_(None),
                    ~Conversation.manual_mode, ~Conversation.escalated, ~Conversation.opted_out,
                ).order_by(Conversation.id).limit(BATCH)
            )  # fmt: skip
            jobs = []
            for conversation in candidates:
                replied = conversation.last_customer_message_at is not None and (
                    conversation.last_customer_message_at > conversation.last_agent_message_at)
                if follow.only_if_no_reply and replied:
                    log.info("⏭️  Follow-up worker: User replied, skipping follow-up (%s)", conversation.remote_id)
                    conversation.follow_up_state = "done"
                elif conversation.follow_ups_sent >= follow.max_follow_ups:
                    log.info("⏭️  Follow-up worker: Max follow-ups reached (%s)", conversation.remote_id)
                    conversation.follow_up_state = "done"
                else:
                    number = conversation.follow_ups_sent + 1
                    anchor = conversation.last_customer_message_at.isoformat() if conversation.last_customer_message_at else "-"
                    text = follow.messages[min(number, len(follow.messages)) - 1]
                    jobs.append(FollowUp(conversation.id, number, text, conversation.language,
                                         key=f"follow_up:{conversation.id}:{anchor}:{number}"))  # fmt: skip
            if jobs:
                plans.append((agent, settings, jobs))
    return plans


def _queue(ctx: AppContext, job: FollowUp, text: str) -> int:
    with session_scope(ctx.engine) as session:
        conversation = session.get(Conversation, job.conversation_id)
        if conversation is None or conversation.follow_ups_sent >= job.number or conversation.manual_mode:
            return 0  # another process queued it, or the state changed meanwhile
        queue_message(session, ctx, conversation, role=Role.SYSTEM, kind="follow_up", text=text,
                      translation=job.text if text != job.text else None, key=job.key)  # fmt: skip
        conversation.follow_ups_sent = job.number
        remote = conversation.remote_id
    log.info("📢 Follow-up worker: Sending follow-up to %s", remote)
    return 1
