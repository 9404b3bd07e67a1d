"""Outbox test helpers: an in-memory channel gateway that records sends, integrations and queued rows."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from sqlmodel import Session, select

from ai_agents.channels.base import SendError, SendResult
from ai_agents.db.models import Agent, Integration, OutboxMessage
from ai_agents.db.session import session_scope
from ai_agents.services.outbound.dispatcher import Dispatcher
from ai_agents.services.outbound.outbox import ChannelDown, enqueue
from ai_agents.services.outbound.send_budget import SendBudget


class RecordingGateway:
    """A channel gateway that records sends (with their monotonic time); scripted failures per
    recipient; `running` limits which integrations run (None: all); `during_send` runs in each send."""

    def __init__(self, latency: float = 0.0) -> None:
        self.sent: list[tuple[str, str]] = []
        self.sent_at: list[tuple[int, float]] = []  # (integration id, time.monotonic())
        self.failures: dict[str, list[SendError]] = {}
        self.latency = latency
        self.running: set[int] | None = None
        self.during_send: Callable[[], Awaitable[None]] | None = None
        self.calls = 0

    def is_running(self, integration_id: int) -> bool:
        return self.running is None or integration_id in self.running

    def messaging_window(self, integration_id: int) -> None:
        return None  # like Telegram: no window

    async def send_text(self, integration_id: int, recipient: str, text: str, start_part: int = 0) -> SendResult:
        self.calls += 1
        if not self.is_running(integration_id):
            raise ChannelDown(f"integration {integration_id} is not running")
        await asyncio.sleep(self.latency)
        if self.during_send is not None:
            await self.during_send()
        if self.failures.get(recipient):
            raise self.failures[recipient].pop(0)
        self.sent.append((recipient, text))
        self.sent_at.append((integration_id, time.monotonic()))
        return SendResult(external_id=f"{recipient}:{len(self.sent)}")


def make_integration(ctx, **config) -> int:
    with session_scope(ctx.engine) as session:
        agent = Agent(name="A", model="m")
        session.add(agent)
        session.flush()
        integration = Integration(agent_id=agent.id, channel="telegram", provider="telegram_bot", config=config)
        session.add(integration)
        session.flush()
        return integration.id


def queue(ctx, integration_id: int, items: list[tuple[str, str]], kind: str = "broadcast", **fields) -> None:
    with session_scope(ctx.engine) as session:
        for recipient, text in items:
            key = f"t:{integration_id}:{kind}:{recipient}:{text}"
            enqueue(session, ctx, idempotency_key=key, integration_id=integration_id, recipient=recipient,
                    text=text, kind=kind, **fields)


def dispatcher_on(ctx, clock, **options) -> Dispatcher:
    """A dispatcher whose rate budgets follow the test's manual clock."""
    dispatcher = Dispatcher(ctx, **options)
    dispatcher.budget = SendBudget(now=lambda: clock.now().timestamp())
    return dispatcher


def outbox_rows(ctx) -> list[OutboxMessage]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))
