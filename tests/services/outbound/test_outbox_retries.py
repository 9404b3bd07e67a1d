"""Outbox retries: order among due rows only, conversation messages retried for a time budget,
campaign rows for a number of attempts, held rows resumed when their channel connects."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session

from ai_agents.channels.base import SendError
from ai_agents.db.models import OutboxMessage
from ai_agents.services.outbound.outbox import ChannelDown, resume_held
from tests.support.outbox import RecordingGateway, dispatcher_on, make_integration, outbox_rows, queue


async def test_a_scheduled_campaign_does_not_hold_back_replies(ctx, clock):
    """Issue #8 defect 6: the per-recipient order counted rows not due yet."""
    integration_id = make_integration(ctx)
    queue(ctx, integration_id, [("7", "new year offer")])
    with Session(ctx.engine) as session:  # scheduled for tomorrow, like create_broadcast does
        session.exec(update(OutboxMessage).values(next_attempt_at=clock.now() + timedelta(days=1)))
        session.commit()
    queue(ctx, integration_id, [("7", "reply now")], kind="reply")
    ctx.channels = gateway = RecordingGateway()
    dispatcher = dispatcher_on(ctx, clock)
    await dispatcher.dispatch_once()
    assert gateway.sent == [("7", "reply now")]
    clock.advance(days=1)
    await dispatcher.dispatch_once()
    assert gateway.sent == [("7", "reply now"), ("7", "new year offer")]


def reply_failing(ctx, recipient: str, failures: list[SendError]) -> RecordingGateway:
    """One reply queued to `recipient`; the gateway fails its sends with `failures` first."""
    integration_id = make_integration(ctx)
    queue(ctx, integration_id, [(recipient, "answer")], kind="reply")
    ctx.channels = gateway = RecordingGateway()
    gateway.failures[recipient] = failures
    return gateway


async def test_replies_are_retried_through_a_long_outage_then_delivered(ctx, clock):
    """Issue #8 defect 7: replies failed for good after 8 attempts (~2 minutes of backoff)."""
    gateway = reply_failing(ctx, "11", [SendError("HTTP 502", transient=True) for _ in range(30)])
    dispatcher = dispatcher_on(ctx, clock, retry_base=2.0)
    for _ in range(30):  # 30 failures over 2.5 hours
        await dispatcher.dispatch_once()
        clock.advance(minutes=5)
    row = outbox_rows(ctx)[0]
    assert (row.status, row.attempts) == ("pending", 30)
    await dispatcher.dispatch_once()
    assert gateway.sent == [("11", "answer")]


async def test_a_reply_fails_once_its_retry_time_is_used_up(ctx, clock):
    reply_failing(ctx, "12", [SendError("HTTP 502", transient=True) for _ in range(3)])
    dispatcher = dispatcher_on(ctx, clock, retry_hours=1)
    await dispatcher.dispatch_once()
    clock.advance(minutes=59)
    await dispatcher.dispatch_once()
    assert outbox_rows(ctx)[0].status == "pending"
    clock.advance(minutes=2)
    await dispatcher.dispatch_once()
    row = outbox_rows(ctx)[0]
    assert row.status == "failed" and row.last_error == "HTTP 502 (gave up after 1 h of retries)"


async def test_channel_down_is_no_attempt(ctx, clock):
    reply_failing(ctx, "14", [ChannelDown("integration stopped while sending") for _ in range(20)])
    dispatcher = dispatcher_on(ctx, clock, max_attempts=3)
    for _ in range(20):
        await dispatcher.dispatch_once()
        clock.advance(seconds=10)
    row = outbox_rows(ctx)[0]
    assert (row.status, row.attempts, row.last_error) == ("pending", 0, "integration stopped while sending")


async def test_reconnecting_makes_held_rows_due_but_not_scheduled_ones(ctx, clock):
    integration_id = make_integration(ctx)
    queue(ctx, integration_id, [("15", "retrying"), ("16", "scheduled")], kind="reply")
    later = clock.now() + timedelta(minutes=5)
    with Session(ctx.engine) as session:
        session.exec(update(OutboxMessage).where(OutboxMessage.recipient == "15")
                     .values(attempts=6, last_error="HTTP 502", next_attempt_at=later))
        session.exec(update(OutboxMessage).where(OutboxMessage.recipient == "16").values(next_attempt_at=later))
        session.commit()
    assert resume_held(ctx, integration_id) == 1
    retrying, scheduled = outbox_rows(ctx)
    assert retrying.next_attempt_at == clock.now() and scheduled.next_attempt_at == later
