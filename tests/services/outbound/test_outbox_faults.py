"""Outbox against a faulty Telegram (real HTTP fake): split texts resume where they stopped, held rows
go out on reconnect, and under 30% random faults every reply and campaign row is delivered once.

What "exactly once" means: a conversation message is delivered once for every answer Telegram gave;
when a request reached Telegram but its answer was lost (a timeout after delivery), the reply is sent
again (a customer may see it twice; losing a reply would be worse). A campaign row is never sent
twice: after such an unknown outcome it fails with "delivery unknown", so every campaign row is
delivered once and marked sent, or delivered at most once and reported as unknown.
"""

from __future__ import annotations

from collections import Counter

import httpx
import pytest
from sqlmodel import Session, select

from ai_agents.api import build_api
from ai_agents.config import load_settings
from ai_agents.core.retry import split_text
from ai_agents.core.types import Provider
from ai_agents.db.models import OutboxMessage
from ai_agents.runtime.lifespan import platform
from tests.conftest import FAST_ADAPTERS
from tests.fakes.telegram_server import CHAOS_FAULTS
from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "7007:AAoutboxfaulttesttokenvalue000000007"
SEND_TIMEOUT = 0.3  # the adapter's read timeout for sendMessage; the fake answers timeouts 0.8 s late


@pytest.fixture
async def faulty(database_url, tmp_path, fake_telegram, fake_openai):
    settings = load_settings(database_url=database_url, data_dir=tmp_path / "data",
                             secret_key="test-secret-key-0123456789",
                             openai_api_key="sk-default-test-key", openai_base_url=fake_openai.base_url + "/v1",
                             retry_base_seconds=0.01, broadcast_tick_seconds=0.1)
    options = {Provider.TELEGRAM_BOT: {**FAST_ADAPTERS[Provider.TELEGRAM_BOT], "send_timeout": SEND_TIMEOUT}}
    async with platform(settings, adapter_options=options, dispatcher_options={"idle_seconds": 0.05}) as running:
        transport = httpx.ASGITransport(app=build_api(running.slot))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
            yield running, api


def outbox(ctx) -> list[OutboxMessage]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_a_split_message_resends_only_the_parts_not_delivered(live, live_api, fake_telegram):
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, 41, "hi")
    await fake_telegram.awaited_sent(1, token=TOKEN)
    conversation = (await live_api.get("/api/conversations")).json()["results"][0]["id"]
    long_text = " ".join(f"word{i}" for i in range(1100))  # about 9,000 characters: 3 parts
    parts = split_text(long_text, 4096)
    assert len(parts) == 3
    fake_telegram.fail("sendMessage", token=TOKEN, status=502, skip=1)  # part 1 goes out, part 2 fails once
    response = await live_api.post(f"/api/conversations/{conversation}/messages", json={"message": long_text})
    assert response.status_code in (200, 201), response.text
    sent = await fake_telegram.awaited_sent(4, token=TOKEN, timeout=10)
    assert [m.text for m in sent[1:]] == parts
    await wait_until(lambda: outbox(live.ctx)[-1].status == "sent", what="the row recorded as sent")
    row = outbox(live.ctx)[-1]
    assert (row.parts_sent, row.attempts) == (3, 2)


async def test_held_rows_go_out_as_soon_as_the_channel_reconnects(live, live_api, fake_telegram):
    agent = await create_agent(live_api)
    integration = await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.fail("sendMessage", token=TOKEN, status=429, retry_after=60)
    fake_telegram.push_message(TOKEN, 42, "hello")
    await wait_until(lambda: any(row.attempts for row in outbox(live.ctx)), what="a failed attempt")
    assert fake_telegram.sent(token=TOKEN) == []  # the reply waits a minute (retry_after)
    await live_api.post(f"/api/integrations/{integration['id']}/stop")
    await live_api.post(f"/api/integrations/{integration['id']}/start")
    sent = await fake_telegram.awaited_sent(1, token=TOKEN, timeout=5)
    assert sent[0].text == "Reply to: hello"


async def test_every_reply_and_campaign_row_is_delivered_once_under_random_faults(faulty, fake_telegram):
    running, api = faulty
    agent = await create_agent(api)
    fake_telegram.add_bot(TOKEN, username="faulty_bot")
    body = {"type": "telegram", "token": TOKEN, "api_base_url": fake_telegram.base_url, "rate_limit_per_second": 100}
    assert (await api.post(f"/api/agents/{agent['id']}/integrations", json=body)).status_code == 201
    await wait_until(lambda: fake_telegram.is_polling(TOKEN), what="polling")
    fake_telegram.chaos("sendMessage", rate=0.3, token=TOKEN, hang=SEND_TIMEOUT + 0.5, seed=3)
    customers = [5000 + i for i in range(15)]
    for chat in customers:
        fake_telegram.push_message(TOKEN, chat, f"question {chat}")
    recipients = [str(800_000 + i) for i in range(40)]
    campaign = {"message": "Spring offer", "integration_type": "telegram", "recipients": recipients}
    created = await api.post(f"/api/agents/{agent['id']}/settings/broadcast", json=campaign)
    assert created.status_code == 201, created.text

    def settled() -> bool:
        rows = outbox(running.ctx)
        return len(rows) == len(customers) + len(recipients) and all(r.status in ("sent", "failed") for r in rows)

    await wait_until(settled, timeout=60, what="every outbox row sent or failed")
    calls = fake_telegram.calls(token=TOKEN, method="sendMessage")
    assert {c.fault for c in calls} >= set(CHAOS_FAULTS)  # every kind of fault happened
    delivered = Counter((str(m.chat_id), m.text) for m in fake_telegram.sent(token=TOKEN))
    late = Counter((str(c.params["chat_id"]), c.params["text"]) for c in calls if c.fault == "timeout_delivered")
    for row in outbox(running.ctx):
        key = (row.recipient, row.text)
        if row.kind == "reply":  # once per answered send: a lost answer is the only way to a second copy
            assert row.status == "sent" and delivered[key] == 1 + late[key], (key, delivered[key], late[key])
        elif row.status == "sent":  # exactly once (a slow answer read before the timeout fired is one send)
            assert delivered[key] == 1, (key, delivered[key], late[key])
        else:  # the last attempt timed out: delivered or not, never resent
            assert row.last_error.startswith("delivery unknown") and delivered[key] == late[key] <= 1, key
    replies = [r for r in outbox(running.ctx) if r.kind == "reply"]
    assert sorted(r.recipient for r in replies) == sorted(str(c) for c in customers)
