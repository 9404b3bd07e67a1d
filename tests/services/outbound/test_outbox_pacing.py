"""Outbox pacing: each integration at its own rate whatever the others do; tokens only for rows claimed."""

from __future__ import annotations

import asyncio
import time

from ai_agents.services.outbound.dispatcher import Dispatcher
from ai_agents.services.outbound.send_budget import Candidate, Channel, SendBudget
from tests.support.flows import connect_bot, create_agent, wait_until
from tests.support.outbox import RecordingGateway, dispatcher_on, make_integration, outbox_rows, queue


def achieved_rate(times: list[float], skip: int) -> float:
    """Sends a second after the first `skip` (the burst a full bucket allows at once)."""
    paced = sorted(times)[skip:]
    return (len(paced) - 1) / (paced[-1] - paced[0])


async def test_two_campaigns_on_different_bots_each_run_at_their_limit(ctx):
    """Issue #8 defect 4: a full bucket of another bot made the dispatcher sleep idle_seconds
    between tokens (4.1/s on a bot limited to 20/s)."""
    busy = [make_integration(ctx, rate_limit_per_second=20) for _ in range(2)]
    idle = [make_integration(ctx, rate_limit_per_second=20) for _ in range(3)]
    ctx.channels = gateway = RecordingGateway()
    dispatcher = Dispatcher(ctx, idle_seconds=1.0)
    task = asyncio.create_task(dispatcher.run())
    try:
        for integration_id in idle:  # the other bots answered a few messages: their buckets exist
            queue(ctx, integration_id, [(f"{integration_id}0{i}", "hi") for i in range(2)], kind="reply")
        dispatcher.wake()
        await wait_until(lambda: len(gateway.sent) == 6, what="the other bots' replies")
        await asyncio.sleep(0.3)  # their buckets are full again
        for integration_id in busy:
            queue(ctx, integration_id, [(str(10_000 * integration_id + i), "offer") for i in range(44)])
        dispatcher.wake()
        await wait_until(lambda: len(gateway.sent) == 6 + 88, timeout=15, what="both campaigns sent")
    finally:
        task.cancel()
    for integration_id in busy:
        times = [at for sender, at in gateway.sent_at if sender == integration_id]
        rate = achieved_rate(times, skip=4)  # burst 20/5 = 4, then 40 sends paced at 20/s
        assert 19.0 <= rate <= 21.0, f"integration {integration_id}: {rate:.2f}/s for a limit of 20/s"


async def test_wakes_at_the_next_token_of_the_bot_with_due_rows(ctx, clock):
    campaign, other = make_integration(ctx, rate_limit_per_second=20), make_integration(ctx, rate_limit_per_second=20)
    ctx.channels = RecordingGateway()
    dispatcher = dispatcher_on(ctx, clock)
    queue(ctx, other, [("1", "earlier answer")], kind="reply")
    queue(ctx, campaign, [(str(100 + i), "offer") for i in range(10)])
    rows, _ = await dispatcher._claim_now(32)
    await asyncio.gather(*(dispatcher._send(row) for row in rows))
    assert len(rows) == 5  # the campaign's burst of 4, and the other bot's answer
    clock.advance(seconds=0.5)  # the other bot's bucket is full again, the campaign's too (burst 4)
    rows, wait = await dispatcher._claim_now(32)
    await asyncio.gather(*(dispatcher._send(row) for row in rows))
    assert len(rows) == 4
    rows, wait = await dispatcher._claim_now(32)
    assert rows == [] and abs(wait - 1 / 20) < 1e-6  # the campaign's next token, not 0 for the full bucket


async def test_tokens_are_taken_only_for_rows_claimed(ctx, clock):
    integration_id = make_integration(ctx, rate_limit_per_second=25)  # a burst of 5
    queue(ctx, integration_id, [(str(100 + i), "offer") for i in range(10)])
    ctx.channels = RecordingGateway()
    dispatcher = dispatcher_on(ctx, clock, batch=2)
    assert await dispatcher.dispatch_once() == 2
    channel = Channel(integration_id, "telegram_bot", {"rate_limit_per_second": 25})
    assert dispatcher.budget.available(channel) == 3


async def test_rows_of_integrations_not_running_here_are_left_alone(ctx, clock):
    stopped, running = make_integration(ctx), make_integration(ctx)
    queue(ctx, stopped, [("1", "held")], kind="reply")
    queue(ctx, running, [("2", "goes")], kind="reply")
    ctx.channels = gateway = RecordingGateway()
    gateway.running = {running}
    dispatcher = dispatcher_on(ctx, clock)
    for _ in range(3):
        await dispatcher.dispatch_once()
        clock.advance(seconds=10)
    assert gateway.sent == [("2", "goes")] and gateway.calls == 1
    held = outbox_rows(ctx)[0]
    assert (held.status, held.attempts, held.last_error, held.lease_owner) == ("pending", 0, None, None)
    assert dispatcher.budget.available(Channel(stopped, "telegram_bot")) == 5  # no token spent on it
    gateway.running.add(stopped)
    await dispatcher.dispatch_once()
    assert gateway.sent[-1] == ("1", "held")


def test_forget_drops_the_integration_and_its_chats():
    moment = [100.0]
    budget = SendBudget(now=lambda: moment[0])
    kept, dropped = Channel(1, "telegram_bot"), Channel(2, "telegram_bot")
    for channel in (kept, dropped):
        for recipient in ("a", "b"):
            budget.take(Candidate(0, channel, recipient))
    budget.forget(2)
    assert budget.available(kept) == 3 and budget.available(dropped) == 5  # a new, full bucket
    chosen, held = budget.choose([Candidate(i, dropped, "a") for i in range(4)], limit=10)
    assert len(chosen) == 3 and len(held) == 1  # chat "a" of the dropped bot starts with its full burst of 3
    chosen, held = budget.choose([Candidate(i, kept, "a") for i in range(4)], limit=10)
    assert len(chosen) == 2  # chat "a" of the kept bot still has used one of its 3


def test_choose_plans_without_taking():
    budget = SendBudget(now=time.monotonic)
    channel = Channel(1, "telegram_bot", {"rate_limit_per_second": 10})  # burst 2
    chosen, held = budget.choose([Candidate(i, channel, str(i)) for i in range(5)], limit=10)
    assert [c.row_id for c in chosen] == [0, 1] and [c.row_id for c in held] == [2]  # one per bot out of tokens
    assert budget.available(channel) == 2


async def test_deleting_an_integration_drops_its_rate_state(live, live_api, fake_telegram):
    token = "6116:AAoutboxpacingtesttokenvalue0000006"
    agent = await create_agent(live_api)
    integration = await connect_bot(live_api, agent["id"], fake_telegram, token)
    fake_telegram.push_message(token, 31, "hi")
    await fake_telegram.awaited_sent(1, token=token)
    assert integration["id"] in live.dispatcher.budget._integrations
    assert (await live_api.delete(f"/api/integrations/{integration['id']}")).status_code == 200
    assert integration["id"] not in live.dispatcher.budget._integrations
    assert not [key for key in live.dispatcher.budget._chats if key[0] == integration["id"]]
