"""Plan Test 6 and 9.3: follow-ups after silence, 'only if no reply', the maximum, many at once,
each queued at its due time."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import Session, select

from ai_agents.core.clock import ManualClock, SystemClock
from ai_agents.db.models import Agent, Conversation, Integration, Message
from ai_agents.services.agent_settings import AgentSettings
from ai_agents.services.outbound.followups import FollowUpScheduler, run_follow_ups
from ai_agents.services.workspace import agents
from tests.api.test_settings import PLAN_FOLLOW_UP
from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "1313:AAfollowuptesttokenvalue0000000013"
FIRST, SECOND = PLAN_FOLLOW_UP["follow_up"]["messages"]


@pytest.fixture
def live_clock():
    return ManualClock(datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc))


@pytest.fixture
def settings_overrides():
    return {"follow_up_tick_seconds": 60}  # the worker's longest sleep: a new message must wake it


@pytest.fixture
async def by_hand(live):
    """The test runs the follow-up pass itself at chosen moments of the manual clock."""
    await live.follow_ups.stop()


async def setup_chat(api, fake_telegram, chat_id: int = 20) -> None:
    agent = await create_agent(api)
    assert (await api.put(f"/api/agents/{agent['id']}/settings", json=PLAN_FOLLOW_UP)).status_code == 200
    await connect_bot(api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, chat_id, "What are your prices?")
    await fake_telegram.awaited_sent(1, token=TOKEN, chat_id=chat_id)


async def test_follow_ups_after_silence_up_to_the_maximum(live, by_hand, live_api, fake_telegram, live_clock, logs):
    await setup_chat(live_api, fake_telegram)
    live_clock.advance(minutes=4)
    assert await run_follow_ups(live.ctx) == 0  # not yet
    live_clock.advance(minutes=1, seconds=1)
    assert await run_follow_ups(live.ctx) == 1
    sent = await fake_telegram.awaited_sent(2, token=TOKEN)
    assert sent[-1].text == FIRST
    assert logs.count("📢 Follow-up worker: Sending follow-up to 20") == 1
    assert await run_follow_ups(live.ctx) == 0  # the delay counts from the follow-up itself
    live_clock.advance(minutes=5, seconds=1)
    assert await run_follow_ups(live.ctx) == 1
    assert (await fake_telegram.awaited_sent(3, token=TOKEN))[-1].text == SECOND
    for _ in range(3):
        live_clock.advance(minutes=6)
        assert await run_follow_ups(live.ctx) == 0
    assert logs.count("⏭️  Follow-up worker: Max follow-ups reached") == 1  # logged once, not every tick
    with Session(live.ctx.engine) as session:
        kinds = [m.kind for m in session.exec(select(Message).order_by(Message.id))]
    assert kinds == ["chat", "reply", "follow_up", "follow_up"]  # stored in the conversation


async def test_customer_reply_restarts_the_sequence(live, by_hand, live_api, fake_telegram, live_clock):
    await setup_chat(live_api, fake_telegram)
    live_clock.advance(minutes=5, seconds=1)
    assert await run_follow_ups(live.ctx) == 1
    fake_telegram.push_message(TOKEN, 20, "Thanks, and delivery?")
    await fake_telegram.awaited_sent(3, token=TOKEN)
    live_clock.advance(minutes=5, seconds=1)
    assert await run_follow_ups(live.ctx) == 1
    assert (await fake_telegram.awaited_sent(4, token=TOKEN))[-1].text == FIRST  # number 1 again


async def test_unanswered_customer_message_skips_follow_up(live, by_hand, live_api, fake_telegram, fake_openai, live_clock, logs):
    await setup_chat(live_api, fake_telegram)
    fake_openai.fail(401, times=10)  # a lasting error: the AI cannot answer the customer's reply
    live_clock.advance(minutes=1)
    fake_telegram.push_message(TOKEN, 20, "Hello?")
    await wait_until(lambda: len(fake_openai.requests()) >= 2, what="LLM attempt")
    await live.pipeline.drain()
    live_clock.advance(minutes=6)
    assert await run_follow_ups(live.ctx) == 0
    assert await run_follow_ups(live.ctx) == 0
    assert logs.count("⏭️  Follow-up worker: User replied, skipping follow-up") == 1


async def test_no_follow_ups_in_manual_mode(live, by_hand, live_api, fake_telegram, live_clock):
    await setup_chat(live_api, fake_telegram)
    conversation = (await live_api.get("/api/conversations")).json()["results"][0]["id"]
    await live_api.post(f"/api/conversations/{conversation}/takeover")
    live_clock.advance(minutes=10)
    assert await run_follow_ups(live.ctx) == 0


async def test_fifty_due_at_once_are_sent_exactly_once(live, by_hand, live_api, fake_telegram, live_clock):
    agent = await create_agent(live_api)
    await live_api.put(f"/api/agents/{agent['id']}/settings", json=PLAN_FOLLOW_UP)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    for chat in range(50):
        fake_telegram.push_message(TOKEN, 3000 + chat, "hi")
    await fake_telegram.awaited_sent(50, token=TOKEN, timeout=30)
    live_clock.advance(minutes=5, seconds=1)
    assert await run_follow_ups(live.ctx) == 50
    assert await run_follow_ups(live.ctx) == 0
    live_clock.advance(seconds=2)  # per-chat pacing
    sent = await fake_telegram.awaited_sent(100, token=TOKEN, timeout=30)
    follow_ups = [s for s in sent if s.text == FIRST]
    assert sorted(s.chat_id for s in follow_ups) == list(range(3000, 3050))


QUICK = {"follow_up": {**PLAN_FOLLOW_UP["follow_up"], "delay_minutes": 0.025}}  # 1.5 s of silence


@pytest.mark.parametrize("live_clock", [SystemClock()])
async def test_each_follow_up_is_queued_at_its_due_time(live, live_api, fake_telegram, live_clock):
    """Defect 11: due at T (1.5 s after the agent's last message), queued by T + 2 s; the old
    15 s tick missed this by up to 15 s. The worker sleeps up to 60 s here: the new messages wake it."""
    agent = await create_agent(live_api)
    assert (await live_api.put(f"/api/agents/{agent['id']}/settings", json=QUICK)).status_code == 200
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, 21, "What are your prices?")
    sent = await fake_telegram.awaited_sent(3, token=TOKEN, chat_id=21, timeout=40)
    assert [s.text for s in sent[1:]] == [FIRST, SECOND]
    with Session(live.ctx.engine) as session:
        outgoing = list(session.exec(select(Message).where(Message.role != "user").order_by(Message.id)))
    assert [m.kind for m in outgoing] == ["reply", "follow_up", "follow_up"]
    due = [m.created_at + timedelta(minutes=0.025) for m in outgoing[:2]]
    late = [(m.created_at - at).total_seconds() for m, at in zip(outgoing[1:], due)]
    assert all(0 <= seconds <= 2 for seconds in late), late


def seed_silent_chat(ctx, settings: dict, silent_since: datetime, customer_at: datetime | None = None) -> None:
    """An agent with these settings and one Telegram chat whose agent message was at silent_since
    (the customer's last message 30 s before it unless given)."""
    agent = agents.create_agent(ctx, agents.AgentCreate(name="Timing", model="gpt-4o-mini"))
    agents.update_settings(ctx, agent["id"], AgentSettings.model_validate(settings))
    with Session(ctx.engine) as session:
        integration = Integration(
            agent_id=agent["id"], channel="telegram", provider="telegram_bot", name="t", external_id="timing"
        )
        session.add(integration)
        session.flush()
        chat = Conversation(agent_id=agent["id"], integration_id=integration.id, channel="telegram", remote_id="42")
        chat.last_message_at = chat.last_agent_message_at = silent_since
        chat.last_customer_message_at = customer_at or silent_since - timedelta(seconds=30)
        session.add(chat)
        session.commit()


async def run_worker_until(ctx, clock: ManualClock, horizon: datetime, max_wait: float = 15) -> list[float]:
    """Run the follow-up worker with a sleep that moves the manual clock; returns its naps."""
    naps: list[float] = []
    reached = asyncio.Event()

    async def sleep(seconds: float) -> None:
        naps.append(seconds)
        if clock.now() + timedelta(seconds=seconds) > horizon:
            reached.set()
            await asyncio.Event().wait()  # until stopped
        clock.advance(seconds=seconds)

    worker = FollowUpScheduler(ctx, max_wait=max_wait, sleep=sleep)
    worker.start()
    await asyncio.wait_for(reached.wait(), 20)
    await worker.stop()
    return naps


def follow_up_times(ctx) -> list[datetime]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(Message.created_at).where(Message.kind == "follow_up").order_by(Message.id)))


async def test_worker_wakes_at_the_due_time_without_polling(ctx, clock):
    """Due at 10:04:52.7 and, after the first, 5 minutes later: queued then, not on a 15 s grid."""
    start = clock.now()
    seed_silent_chat(ctx, PLAN_FOLLOW_UP, silent_since=start - timedelta(seconds=7.3))
    naps = await run_worker_until(ctx, clock, horizon=start + timedelta(minutes=15))
    first = start + timedelta(minutes=5) - timedelta(seconds=7.3)
    assert follow_up_times(ctx) == [first, first + timedelta(minutes=5)]
    assert len(naps) <= 15 * 60 / 15 + 2 + 1  # max-wait naps, one per due time, the last one


async def test_closed_hours_move_the_follow_up_to_the_opening(ctx, clock):
    """Due at 10:05 on a Monday that opens at 10:30: queued at 10:30:00, not before or later."""
    hours = {"enabled": True, "timezone": "UTC", "schedule": {"monday": {"start": "10:30", "end": "18:00"}}}
    seed_silent_chat(ctx, {**PLAN_FOLLOW_UP, "working_hours": hours}, silent_since=clock.now())
    await run_worker_until(ctx, clock, horizon=clock.now() + timedelta(minutes=32), max_wait=600)
    assert follow_up_times(ctx) == [datetime(2026, 11, 23, 10, 30, tzinfo=timezone.utc)]


@pytest.mark.parametrize("only_if_no_reply", [True, False])
async def test_nothing_is_judged_between_a_customer_message_and_its_answer(ctx, clock, logs, only_if_no_reply):
    """The worker looks again on every new message: a customer who just wrote after a long silence
    (the answer still being written) gets no "still there?" and no "replied, skipping" yet; only
    after delay_minutes without an answer is the follow-up sent or skipped."""
    settings = {"follow_up": {**PLAN_FOLLOW_UP["follow_up"], "only_if_no_reply": only_if_no_reply}}
    now = clock.now()
    seed_silent_chat(ctx, settings, silent_since=now - timedelta(minutes=10), customer_at=now - timedelta(seconds=1))
    assert await run_follow_ups(ctx) == 0
    assert logs.count("Follow-up worker") == 0
    clock.advance(minutes=5)
    assert await run_follow_ups(ctx) == (0 if only_if_no_reply else 1)
    assert logs.count("⏭️  Follow-up worker: User replied, skipping follow-up") == (1 if only_if_no_reply else 0)


async def test_worker_backs_off_while_a_pass_fails(ctx, clock, logs):
    """Stored settings that no longer validate make every pass fail: the worker stays up and
    retries after 1, 2, 4, 8 s, then every max_wait, with one log line per failed pass."""
    seed_silent_chat(ctx, PLAN_FOLLOW_UP, silent_since=clock.now())
    with Session(ctx.engine) as session:
        agent = session.exec(select(Agent)).one()
        agent.settings = {**agent.settings, "follow_up": {**agent.settings["follow_up"], "delay_minutes": -1}}
        session.add(agent)
        session.commit()
    naps = await run_worker_until(ctx, clock, horizon=clock.now() + timedelta(minutes=1))
    assert naps[:6] == [1, 2, 4, 8, 15, 15]
    assert logs.count("❌ Follow-up worker failed") == len(naps)
