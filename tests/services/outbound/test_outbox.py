"""The outbox: idempotent rows, ordered claims, retries, permanent failures, outages, restarts."""

from __future__ import annotations

import asyncio
import time

from sqlmodel import Session, select

from ai_agents.channels.base import SendError
from ai_agents.core.types import AlertKind, OutboxStatus
from ai_agents.db.models import Alert
from ai_agents.db.session import session_scope
from ai_agents.services.outbound.dispatcher import Dispatcher
from ai_agents.services.outbound.outbox import enqueue
from tests.support.flows import connect_bot, create_agent, wait_until
from tests.support.outbox import RecordingGateway, dispatcher_on, make_integration, outbox_rows, queue

TOKEN = "6006:AAoutboxtesttokenvalue0000000000006"


async def test_same_idempotency_key_is_one_row(ctx):
    integration_id = make_integration(ctx)
    with session_scope(ctx.engine) as session:
        first = enqueue(session, ctx, idempotency_key="k", integration_id=integration_id, recipient="1", text="a")
        second = enqueue(session, ctx, idempotency_key="k", integration_id=integration_id, recipient="1", text="a")
    assert first is not None and second is None and len(outbox_rows(ctx)) == 1


async def test_two_dispatchers_never_send_a_row_twice(ctx, clock):
    integration_id = make_integration(ctx)
    queue(ctx, integration_id, [(str(100 + i), f"hello {i}") for i in range(60)])
    gateway = RecordingGateway(latency=0.001)
    ctx.channels = gateway
    first, second = dispatcher_on(ctx, clock, batch=7), dispatcher_on(ctx, clock, batch=7)
    for _ in range(100):
        if all(r.status == OutboxStatus.SENT for r in outbox_rows(ctx)):
            break
        await asyncio.gather(first.dispatch_once(), second.dispatch_once())
        clock.advance(seconds=1)  # rate budgets refill
    assert sorted(gateway.sent) == sorted((str(100 + i), f"hello {i}") for i in range(60))


async def test_one_recipient_gets_messages_in_order_even_after_a_retry(ctx, clock):
    integration_id = make_integration(ctx)
    queue(ctx, integration_id, [("7", "first"), ("7", "second"), ("8", "other")])
    gateway = RecordingGateway()
    gateway.failures["7"] = [SendError("timeout", transient=True)]
    ctx.channels = gateway
    dispatcher = dispatcher_on(ctx, clock, retry_base=1.0)
    await dispatcher.dispatch_once()
    assert gateway.sent == [("8", "other")]  # "second" waits behind "first"
    assert [r.status for r in outbox_rows(ctx)] == ["pending", "pending", "sent"]
    await dispatcher.dispatch_once()
    assert gateway.sent == [("8", "other")]  # not due yet: the clock has not moved
    clock.advance(seconds=2)
    await dispatcher.dispatch_once()
    await dispatcher.dispatch_once()
    assert gateway.sent == [("8", "other"), ("7", "first"), ("7", "second")]


async def test_one_chat_is_held_to_its_rate_after_a_short_burst(ctx, clock):
    integration_id = make_integration(ctx)
    queue(ctx, integration_id, [("7", f"part {i}") for i in range(5)])
    ctx.channels = gateway = RecordingGateway()
    dispatcher = dispatcher_on(ctx, clock)
    for _ in range(5):
        await dispatcher.dispatch_once()
    assert len(gateway.sent) == 3  # Telegram: a burst of 3, then one a second per chat
    clock.advance(seconds=1)
    await dispatcher.dispatch_once()
    await dispatcher.dispatch_once()
    assert [text for _, text in gateway.sent] == [f"part {i}" for i in range(4)]


async def test_retry_after_is_honoured(ctx, clock):
    integration_id = make_integration(ctx)
    queue(ctx, integration_id, [("9", "hi")])
    gateway = RecordingGateway()
    gateway.failures["9"] = [SendError("429", transient=True, retry_after=30)]
    ctx.channels = gateway
    dispatcher = dispatcher_on(ctx, clock, retry_base=0.01)
    await dispatcher.dispatch_once()
    row = outbox_rows(ctx)[0]
    assert row.status == "pending" and (row.next_attempt_at - clock.now()).total_seconds() >= 30
    clock.advance(seconds=29)
    await dispatcher.dispatch_once()
    assert gateway.sent == []
    clock.advance(seconds=2)
    await dispatcher.dispatch_once()
    assert gateway.sent == [("9", "hi")]


async def test_expired_lease_is_claimed_again(ctx, clock):
    integration_id = make_integration(ctx)
    queue(ctx, integration_id, [("10", "x")])
    ctx.channels = RecordingGateway()
    crashed = dispatcher_on(ctx, clock, lease_seconds=60)
    assert len((await crashed._claim_now(10))[0]) == 1  # claimed, then the process "dies" before sending
    survivor = dispatcher_on(ctx, clock)
    assert await survivor.dispatch_once() == 0
    clock.advance(seconds=61)
    assert await survivor.dispatch_once() == 1
    assert ctx.channels.sent == [("10", "x")]


async def test_transient_failures_give_up_after_max_attempts(ctx, clock):
    integration_id = make_integration(ctx)
    queue(ctx, integration_id, [("11", "x")])
    gateway = RecordingGateway()
    gateway.failures["11"] = [SendError("HTTP 502", transient=True) for _ in range(10)]
    ctx.channels = gateway
    dispatcher = dispatcher_on(ctx, clock, max_attempts=3, retry_base=0.01)
    for _ in range(5):
        await dispatcher.dispatch_once()
        clock.advance(seconds=600)
    row = outbox_rows(ctx)[0]
    assert row.status == "failed" and row.attempts == 3 and row.last_error == "HTTP 502 (gave up after 3 attempts)"


async def test_blocked_chat_fails_at_once_with_alert(live, live_api, fake_telegram):
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.block_chat(TOKEN, 66)
    fake_telegram.push_message(TOKEN, 66, "hello")

    def alerts():
        with Session(live.ctx.engine) as session:
            return list(session.exec(select(Alert)))

    await wait_until(lambda: alerts(), what="delivery alert")
    alert = alerts()[0]
    assert alert.kind == AlertKind.DELIVERY_FAILURE and "blocked" in alert.text
    assert len(fake_telegram.calls(token=TOKEN, method="sendMessage")) == 1
    row = outbox_rows(live.ctx)[0]
    assert row.status == "failed" and row.attempts == 1


async def test_server_errors_are_retried_then_delivered_once(live, live_api, fake_telegram):
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.fail("sendMessage", token=TOKEN, status=500, times=2)
    fake_telegram.push_message(TOKEN, 67, "hello")
    sent = await fake_telegram.awaited_sent(1, token=TOKEN, timeout=15)
    assert sent[0].text == "Reply to: hello"
    await asyncio.sleep(0.2)
    assert len(fake_telegram.sent(token=TOKEN)) == 1
    assert len(fake_telegram.calls(token=TOKEN, method="sendMessage")) == 3


async def test_stopped_channel_holds_messages_until_started(live, live_api, fake_telegram):
    agent = await create_agent(live_api)
    integration = await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, 68, "hi")
    await fake_telegram.awaited_sent(1, token=TOKEN)
    conversation = (await live_api.get("/api/conversations")).json()["results"][0]["id"]
    await live_api.post(f"/api/integrations/{integration['id']}/stop")
    await live_api.post(f"/api/conversations/{conversation}/messages", json={"message": "while stopped"})
    await asyncio.sleep(0.5)  # ten dispatcher rounds (idle_seconds 0.05): a stopped bot's rows are not claimed
    held = outbox_rows(live.ctx)[-1]
    assert (held.status, held.attempts, held.last_error, held.lease_owner) == ("pending", 0, None, None)
    assert len(fake_telegram.calls(token=TOKEN, method="sendMessage")) == 1
    await live_api.post(f"/api/integrations/{integration['id']}/start")
    started = time.monotonic()
    sent = await fake_telegram.awaited_sent(2, token=TOKEN, timeout=10)
    assert sent[-1].text == "while stopped" and time.monotonic() - started < 2


async def test_dispatcher_stops_when_cancelled_right_after_a_wake_up(ctx):
    """asyncio.wait_for (3.11) swallowed a cancel that met a wake-up: the platform hung at shutdown."""
    ctx.channels = RecordingGateway()
    dispatcher = Dispatcher(ctx, idle_seconds=5)
    running = asyncio.create_task(dispatcher.run())
    await asyncio.sleep(0.3)  # it claimed nothing and waits to be woken
    dispatcher._wake.set()
    await asyncio.sleep(0)
    running.cancel()
    done, _ = await asyncio.wait({running}, timeout=2)
    assert running in done and running.cancelled()
