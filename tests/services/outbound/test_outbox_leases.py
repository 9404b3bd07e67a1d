"""Outbox leases: a row is leased only while it is sent (renewed in flight), never claimed again by
the process sending it, and its outcome is recorded only by the holder of its lease."""

from __future__ import annotations

import asyncio
from collections import Counter

from sqlmodel import Session

from ai_agents.channels.base import SendError
from ai_agents.db.models import Integration
from tests.support.flows import wait_until
from tests.support.outbox import RecordingGateway, dispatcher_on, make_integration, outbox_rows, queue


def fast_ticks(seconds: float):
    """The dispatcher's sleep for lease renewals: a tick every 10 ms of real time."""
    return asyncio.sleep(0.01)


def slow_sends(clock, seconds: float):
    """Each send takes `seconds` of the manual clock, in steps the renewals can run between."""

    async def during_send() -> None:
        for _ in range(int(seconds * 2)):
            clock.advance(seconds=0.5)
            await asyncio.sleep(0.02)

    return during_send


async def test_sends_longer_than_the_lease_are_delivered_once(ctx, clock):
    """Issue #8 defect 5 repro: OUTBOX_LEASE_SECONDS=2 and sends of 3 s delivered every message twice."""
    integration_id = make_integration(ctx)
    queue(ctx, integration_id, [(str(100 + i), f"hello {i}") for i in range(6)], kind="reply")
    ctx.channels = gateway = RecordingGateway()
    gateway.during_send = slow_sends(clock, 3)
    dispatcher = dispatcher_on(ctx, clock, lease_seconds=2, concurrency=2, idle_seconds=0.01, sleep=fast_ticks)
    task = asyncio.create_task(dispatcher.run())
    try:
        await wait_until(lambda: all(row.status == "sent" for row in outbox_rows(ctx)), timeout=10, what="all sent")
        await asyncio.sleep(0.2)  # a duplicate would still be in flight
    finally:
        task.cancel()
    assert Counter(gateway.sent) == Counter({(str(100 + i), f"hello {i}"): 1 for i in range(6)})


async def test_another_process_does_not_take_a_row_while_it_is_sent(ctx, clock):
    integration_id = make_integration(ctx)
    queue(ctx, integration_id, [("7", "slow")], kind="reply")
    ctx.channels = gateway = RecordingGateway()
    gateway.during_send = slow_sends(clock, 3)
    sender = dispatcher_on(ctx, clock, lease_seconds=2, sleep=fast_ticks)
    other = dispatcher_on(ctx, clock, lease_seconds=2, sleep=fast_ticks)
    sending = asyncio.create_task(sender.dispatch_once())
    await wait_until(lambda: gateway.calls == 1, what="the send started")
    tries = 0
    while not sending.done():
        tries += await other.dispatch_once()
        await asyncio.sleep(0.01)
    assert await sending == 1 and tries == 0 and gateway.sent == [("7", "slow")]


async def test_only_the_lease_holder_records_the_outcome(ctx, clock):
    integration_id = make_integration(ctx)
    queue(ctx, integration_id, [("8", "x")], kind="reply")
    ctx.channels = gateway = RecordingGateway()
    stalled = dispatcher_on(ctx, clock, lease_seconds=2)
    [row], _ = await stalled._claim_now(10)  # its renewals stopped (e.g. the database was unreachable)
    clock.advance(seconds=3)
    taker = dispatcher_on(ctx, clock, lease_seconds=2)
    assert await taker.dispatch_once() == 1
    sent = outbox_rows(ctx)[0]
    assert sent.status == "sent" and gateway.sent == [("8", "x")]
    gateway.failures["8"] = [SendError("HTTP 502", transient=True)]
    assert await stalled._send(row) is False  # its late failure must not make the sent row pending again
    after = outbox_rows(ctx)[0]
    assert (after.status, after.attempts, after.external_id) == ("sent", 1, sent.external_id)


async def test_a_send_in_flight_when_its_integration_is_deleted_ends_cleanly(ctx, clock):
    integration_id = make_integration(ctx)
    queue(ctx, integration_id, [("9", "x"), ("10", "y")], kind="reply")
    ctx.channels = gateway = RecordingGateway()
    deleted = asyncio.Event()

    async def delete_while_sending() -> None:
        with Session(ctx.engine) as session:  # what deleting an integration does: the rows cascade
            session.delete(session.get(Integration, integration_id))
            session.commit()
        deleted.set()

    gateway.during_send = delete_while_sending
    gateway.failures["10"] = [SendError("HTTP 502", transient=True)]
    dispatcher = dispatcher_on(ctx, clock)
    assert await dispatcher.dispatch_once() == 2  # no crash recording a sent and a failed row that are gone
    assert deleted.is_set() and outbox_rows(ctx) == [] and dispatcher._sending == {}
    assert await dispatcher.dispatch_once() == 0


async def test_a_campaign_send_cut_off_mid_call_is_never_claimed_again(ctx, clock):
    integration_id = make_integration(ctx)
    queue(ctx, integration_id, [("11", "offer")])
    ctx.channels = gateway = RecordingGateway()
    crashed = dispatcher_on(ctx, clock, lease_seconds=0.5)
    [row], _ = await crashed._claim_now(10)
    crashed._mark_started(row)  # it called the channel, then the process died
    survivor = dispatcher_on(ctx, clock, lease_seconds=0.5)
    assert await survivor.dispatch_once() == 0
    clock.advance(seconds=0.6)  # the lease ran out before the next look for interrupted sends
    assert await survivor.dispatch_once() == 0
    clock.advance(seconds=1)
    assert await survivor.dispatch_once() == 0
    after = outbox_rows(ctx)[0]
    assert gateway.sent == [] and after.status == "failed" and after.last_error.startswith("interrupted")
