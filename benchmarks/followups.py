"""Follow-up benchmark: N conversations due at once; enqueue (run_follow_ups) and send (Dispatcher) throughput.

Run: .venv/bin/python -m benchmarks.followups [--conversations 10000] [--database-url postgresql://...]
One process, a fixed ManualClock, no background workers: the follow-up tick is called until it queues
nothing, then the outbox dispatcher drains the rows through an in-memory gateway (no network, rate
limit set out of the way), so the figures are the platform's own cost per follow-up (database + code).
With --database-url, use an empty, dedicated database: rows are added to it and not removed.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import select

from ai_agents.channels.base import SendResult
from ai_agents.config import load_settings
from ai_agents.core.clock import ManualClock
from ai_agents.core.types import MessageStatus, OutboxStatus
from ai_agents.db.models import Conversation, Integration, Message, OutboxMessage
from ai_agents.db.session import session_scope
from ai_agents.runtime.lifespan import platform
from ai_agents.services.agent_settings import AgentSettings
from ai_agents.services.outbound.dispatcher import Dispatcher
from ai_agents.services.outbound.followups import next_due_at, run_follow_ups
from ai_agents.services.outbound.send_budget import SendBudget
from ai_agents.services.workspace import agents
from benchmarks.common import peak_rss_mb

CHUNK = 2_000



class FakeGateway:
    """Records what would go out; answers at once."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, str, str]] = []

    def is_running(self, integration_id: int) -> bool:
        return True

    def messaging_window(self, integration_id: int) -> None:
        return None

    async def send_text(self, integration_id: int, recipient: str, text: str, start_part: int = 0) -> SendResult:
        self.sent.append((integration_id, recipient, text))
        return SendResult(external_id=str(len(self.sent)))


def seed(ctx, n: int) -> tuple[int, int]:
    """An agent with follow-ups on (5 min), one Telegram integration, n conversations silent for 10 min."""
    agent = agents.create_agent(ctx, agents.AgentCreate(name="Bench follow-ups", model="gpt-4o-mini"))
    follow_up = {"follow_up": {"enabled": True, "delay_minutes": 5, "max_follow_ups": 2}}
    agents.update_settings(ctx, agent["id"], AgentSettings.model_validate(follow_up))
    now = ctx.clock.now()
    silent_since = now - timedelta(minutes=10)
    with session_scope(ctx.engine) as session:
        integration = Integration(
            agent_id=agent["id"],
            channel="telegram",
            provider="telegram_bot",
            name="bench",
            config={},
            external_id=f"bench-{time.time_ns()}",
            created_at=now,
            updated_at=now,
        )
        session.add(integration)
        session.flush()
        integration_id = integration.id
    for start in range(0, n, CHUNK):
        with session_scope(ctx.engine) as session:
            session.add_all(
                [
                    Conversation(
                        agent_id=agent["id"],
                        integration_id=integration_id,
                        channel="telegram",
                        remote_id=str(5_000_000 + i),
                        contact_name=f"Customer {i}",
                        last_message_at=silent_since,
                        last_agent_message_at=silent_since,
                        last_customer_message_at=silent_since - timedelta(minutes=1),
                        created_at=silent_since,
                    )
                    for i in range(start, min(n, start + CHUNK))
                ]
            )
    return agent["id"], integration_id


def outbox_figures(ctx, integration_id: int) -> dict:
    with session_scope(ctx.engine) as session:
        rows = session.exec(
            select(OutboxMessage.conversation_id, OutboxMessage.status).where(
                OutboxMessage.integration_id == integration_id,
                OutboxMessage.kind == "follow_up",
            )
        ).all()
        messages = session.exec(
            select(Message.status, func.count())
            .where(Message.integration_id == integration_id, Message.kind == "follow_up")
            .group_by(Message.status)
        ).all()
        per_conversation = Counter(conversation_id for conversation_id, _ in rows)
        unmarked = session.exec(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.integration_id == integration_id, Conversation.follow_ups_sent != 1)
        ).one()
    return {
        "rows": len(rows),
        "conversations": len(per_conversation),
        "duplicate_rows": sum(c - 1 for c in per_conversation.values() if c > 1),
        "statuses": dict(Counter(status for _, status in rows)),
        "messages": {s: int(c) for s, c in messages},
        "conversations_not_at_1": int(unmarked),
    }



async def until_empty(step) -> tuple[int, list[float]]:
    """Call the async step until it reports 0 done; (total done, seconds per call)."""
    total, durations = 0, []
    while True:
        tick = time.perf_counter()
        done = await step()
        durations.append(time.perf_counter() - tick)
        total += done
        if done == 0:
            return total, durations

async def bench(n: int, database_url: str) -> None:
    data = Path(tempfile.mkdtemp(prefix="bench-followups-"))
    overrides = {"database_url": database_url} if database_url else {}
    settings = load_settings(
        data_dir=data,
        openai_api_key="sk-bench",
        openai_base_url="http://127.0.0.1:9/v1",
        log_level="WARNING",
        api_token="bench-token-0123456789abcdef",
        **overrides,
    )
    clock = ManualClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))  # a Monday noon
    async with platform(settings, clock=clock, workers=False, freeze_heap=True) as running:
        ctx = running.ctx
        print(f"{n} conversations due a follow-up at once, database: {ctx.engine.dialect.name}")
        started = time.perf_counter()
        _, integration_id = seed(ctx, n)
        print(f"seed: {n} conversations inserted in {time.perf_counter() - started:.2f} s")

        # -- the worker's look at what is due next (done on every wake-up: each new message)
        started = time.perf_counter()
        due = next_due_at(ctx)
        look_ms = 1000 * (time.perf_counter() - started)
        print(f"next due time over {n} waiting conversations: {due.isoformat()}, found in {look_ms:.0f} ms")

        # -- enqueue: the follow-up pass, called until it finds nothing due
        started = time.perf_counter()
        queued, per_call = await until_empty(lambda: run_follow_ups(ctx))
        calls = len(per_call)
        enqueue_s = time.perf_counter() - started
        again = await run_follow_ups(ctx)  # nothing more is due: the second follow-up waits for a new silence
        figures = outbox_figures(ctx, integration_id)
        per_call_ms = 1000 * sum(per_call[:-1]) / max(1, calls - 1)
        print(
            f"enqueue: {queued} queued in {calls} calls ({calls - 1} with work, last one empty) in {enqueue_s:.2f} s "
            f"= {queued / enqueue_s:.0f} follow-ups/s; per call with work {per_call_ms:.0f} ms, "
            f"empty call {1000 * per_call[-1]:.0f} ms; extra call queued {again}"
        )
        print(
            f"  outbox follow_up rows {figures['rows']} (expected {n}), "
            f"conversations covered {figures['conversations']}, "
            f"conversations with >1 row {figures['duplicate_rows']}, conversations with follow_ups_sent != 1 "
            f"{figures['conversations_not_at_1']}, statuses {figures['statuses']}"
        )

        # -- send: the outbox dispatcher through an in-memory gateway, rate limit out of the way
        with session_scope(ctx.engine) as session:
            integration = session.get(Integration, integration_id)
            integration.config = {**(integration.config or {}), "rate_limit_per_second": 100_000}
        gateway = FakeGateway()
        ctx.channels = gateway
        dispatcher = Dispatcher(ctx, batch=500)
        dispatcher.budget = SendBudget()
        started = time.perf_counter()
        attempted, per_round = await until_empty(dispatcher.dispatch_once)
        rounds = len(per_round)
        send_s = time.perf_counter() - started
        recipients = Counter(recipient for _, recipient, _ in gateway.sent)
        figures = outbox_figures(ctx, integration_id)
        per_batch_ms = 1000 * sum(per_round[:-1]) / max(1, rounds - 1)
        print(
            f"send: {len(gateway.sent)} sent ({attempted} attempted) in {rounds} dispatch_once calls in {send_s:.2f} s "
            f"= {len(gateway.sent) / send_s:.0f} messages/s; per batch of 500 {per_batch_ms:.0f} ms"
        )
        repeated = sum(1 for c in recipients.values() if c > 1)
        print(
            f"  recipients sent more than once {repeated}, distinct recipients {len(recipients)}, "
            f"outbox statuses {figures['statuses']}, message statuses {figures['messages']}"
        )
        wanted = {MessageStatus.SENT: n}
        ok = figures["statuses"] == {OutboxStatus.SENT: n} and figures["messages"] == wanted and len(recipients) == n
        print(f"  all {n} follow-ups sent exactly once and marked sent: {'yes' if ok else 'NO'}")
        print(
            f"total enqueue + send {enqueue_s + send_s:.2f} s = {n / (enqueue_s + send_s):.0f} follow-ups/s "
            f"end to end; peak RSS {peak_rss_mb():.0f} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--database-url", default="", help="e.g. postgresql://... (an empty database); default: temp SQLite")
    args = parser.parse_args()
    asyncio.run(bench(args.conversations, args.database_url))


if __name__ == "__main__":
    main()
