"""Plan Test 5: broadcasts created with the plan's body, paced, retried, counted, never doubled."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, func
from sqlmodel import Session, select

from ai_agents.db.models import Conversation, Integration, OutboxMessage
from ai_agents.services.outbound import broadcasts
from ai_agents.services.workspace import agents
from tests.support.flows import create_agent, wait_until

TOKEN = "1212:AAbroadcasttesttokenvalue000000012"


@pytest.fixture
def settings_overrides():
    return {"broadcast_tick_seconds": 0.1}


async def bot_agent(api, fake_telegram, rate: float | None = None) -> dict:
    agent = await create_agent(api)
    fake_telegram.add_bot(TOKEN, username="news_bot")
    body = {"type": "telegram", "token": TOKEN, "api_base_url": fake_telegram.base_url}
    if rate:
        body["rate_limit_per_second"] = rate
    response = await api.post(f"/api/agents/{agent['id']}/integrations", json=body)
    assert response.status_code == 201, response.text
    await wait_until(lambda: fake_telegram.is_polling(TOKEN), what="polling")
    return agent


async def status(api, agent_id, broadcast_id) -> dict:
    return (await api.get(f"/api/agents/{agent_id}/settings/broadcast/{broadcast_id}")).json()["results"]


async def test_plan_broadcast_is_paced_counted_and_completed(live, live_api, fake_telegram, logs):
    agent = await bot_agent(live_api, fake_telegram, rate=20)
    recipients = [str(900_000 + i) for i in range(60)]
    body = {
        "message": "Hello! This is a test broadcast message.",
        "integration_type": "telegram",
        "recipients": recipients + ["+not-a-chat", recipients[0]],
        "scheduled_at": None,
    }
    created = await live_api.post(f"/api/agents/{agent['id']}/settings/broadcast", json=body)
    assert created.status_code == 201, created.text
    broadcast = created.json()["results"]
    assert broadcast["status"] == "pending" and broadcast["total"] == 61
    seen = {broadcast["status"]}

    async def finished():
        current = await status(live_api, agent["id"], broadcast["id"])
        seen.add(current["status"])
        return current["status"].startswith("completed")

    await wait_until(finished, timeout=20, what="broadcast completed")
    final = await status(live_api, agent["id"], broadcast["id"])
    assert final["status"] == "completed_with_errors"
    assert (final["sent"], final["failed"], final["skipped"], final["pending"]) == (60, 0, 1, 0)
    assert "processing" in seen
    sent = fake_telegram.sent(token=TOKEN)
    assert sorted(str(s.chat_id) for s in sent) == sorted(recipients)  # each once
    span = sent[-1].at - sent[0].at
    assert span >= (60 - 4) / 20 * 0.95  # burst of 4, then 20 a second at most
    assert logs.count("📢 [BroadcastWorker] Processing broadcast") == 1
    assert logs.count("✅ [BroadcastWorker] Sent message to") == 20  # then progress lines only
    recipients_url = f"/api/agents/{agent['id']}/settings/broadcast/{broadcast['id']}/recipients"
    skipped = (await live_api.get(recipients_url, params={"limit": 100})).json()["results"]
    assert [r["error"] for r in skipped if r["status"] == "skipped"][0].startswith("invalid recipient '+not-a-chat'")


async def test_failed_sends_are_retried_then_delivered(live, live_api, fake_telegram, logs):
    agent = await bot_agent(live_api, fake_telegram)
    fake_telegram.fail("sendMessage", token=TOKEN, chat_id=700001, status=502, times=2)
    body = {"message": "Sale!", "integration_type": "telegram", "recipients": ["700001", "700002"]}
    broadcast = (await live_api.post(f"/api/agents/{agent['id']}/settings/broadcast", json=body)).json()["results"]

    async def done():
        return (await status(live_api, agent["id"], broadcast["id"]))["status"] == "completed"

    await wait_until(done, timeout=20, what="completed after retries")
    assert logs.count("⚠️  [BroadcastWorker] Failed to send, will retry") == 2
    assert sorted(s.chat_id for s in fake_telegram.sent(token=TOKEN)) == [700001, 700002]


async def test_scheduled_broadcast_waits_and_can_be_cancelled(live, live_api, fake_telegram):
    agent = await bot_agent(live_api, fake_telegram)
    body = {
        "message": "Later",
        "integration_type": "telegram",
        "recipients": ["1", "2"],
        "scheduled_at": "2099-01-01T09:00:00Z",
        "name": "New year",
    }
    broadcast = (await live_api.post(f"/api/agents/{agent['id']}/settings/broadcast", json=body)).json()["results"]
    await asyncio.sleep(0.5)
    assert (await status(live_api, agent["id"], broadcast["id"]))["status"] == "pending"
    assert fake_telegram.sent(token=TOKEN) == []
    cancelled = (await live_api.post(f"/api/agents/{agent['id']}/settings/broadcast/{broadcast['id']}/cancel")).json()
    assert cancelled["results"]["status"] == "cancelled" and cancelled["results"]["cancelled"] == 2
    listed = (await live_api.get(f"/api/agents/{agent['id']}/settings/broadcast")).json()["results"]
    assert [b["name"] for b in listed] == ["New year"]


async def test_opted_out_customers_are_skipped(live, live_api, fake_telegram):
    agent = await bot_agent(live_api, fake_telegram)
    fake_telegram.push_message(TOKEN, 555, "hi")
    await fake_telegram.awaited_sent(1, token=TOKEN)
    with Session(live.ctx.engine) as session:
        conversation = session.exec(select(Conversation)).one()
        conversation.opted_out = True
        session.commit()
    body = {"message": "Promo", "integration_type": "telegram", "recipients": ["555", "556"]}
    broadcast = (await live_api.post(f"/api/agents/{agent['id']}/settings/broadcast", json=body)).json()["results"]
    assert broadcast["skipped"] == 1
    await fake_telegram.awaited_sent(1, token=TOKEN, chat_id=556)
    assert [s.text for s in fake_telegram.sent(token=TOKEN, chat_id=555)] == ["Reply to: hi"]


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"message": "x", "integration_type": "whatsapp", "recipients": ["+14155550100"]}, "integration_type", "no whatsapp integration"),
        ({"message": "x", "integration_type": "telegram", "recipients": []}, "recipients", "at least 1"),
        ({"message": "", "integration_type": "telegram", "recipients": ["1"]}, "message", "at least 1"),
        ({"message": "x", "integration_type": "telegram", "recipients": ["1"], "scheduled_at": "2026-12-01T09:00:00"}, "scheduled_at", "time zone"),
        ({"message": "x", "integration_type": "fax", "recipients": ["1"]}, "integration_type", "whatsapp"),
        ({"message": "x", "integration_type": "telegram", "recipients": ["1"], "integration_id": 999}, "integration_id", "not a telegram integration"),
        ({"message": "x", "integration_type": "telegram", "recipients": ["1" * 65]}, "recipients[0]", "at most 64 characters"),
    ],
)
async def test_invalid_broadcasts_are_rejected(live, live_api, fake_telegram, body, field, fragment):
    agent = await bot_agent(live_api, fake_telegram)
    response = await live_api.post(f"/api/agents/{agent['id']}/settings/broadcast", json=body)
    assert response.status_code == 422, response.text
    errors = {e["field"]: e["message"] for e in response.json()["errors"]}
    assert field in errors and fragment in errors[field], errors


async def test_unknown_broadcast_is_404(live, live_api, fake_telegram):
    agent = await bot_agent(live_api, fake_telegram)
    response = await live_api.get(f"/api/agents/{agent['id']}/settings/broadcast/999")
    assert response.status_code == 404 and response.json()["code"] == "BROADCAST_NOT_FOUND"


async def test_stop_opts_out_and_start_opts_back_in(live, live_api, fake_telegram, fake_openai):
    agent = await bot_agent(live_api, fake_telegram)
    fake_telegram.push_message(TOKEN, 777, "STOP")
    sent = await fake_telegram.awaited_sent(1, token=TOKEN)
    assert sent[0].text.startswith("You are unsubscribed") and fake_openai.requests() == []
    body = {"message": "Promo", "integration_type": "telegram", "recipients": ["777"]}
    broadcast = (await live_api.post(f"/api/agents/{agent['id']}/settings/broadcast", json=body)).json()["results"]
    assert broadcast["skipped"] == 1
    fake_telegram.push_message(TOKEN, 777, "start")
    await fake_telegram.awaited_sent(2, token=TOKEN)
    conversation = (await live_api.get("/api/conversations")).json()["results"][0]
    detail = (await live_api.get(f"/api/conversations/{conversation['id']}")).json()["results"]
    assert detail["remote_jid"] == "777"
    again = (await live_api.post(f"/api/agents/{agent['id']}/settings/broadcast", json=body)).json()["results"]
    assert again["skipped"] == 0


async def test_parallel_campaigns_share_the_rate_and_all_complete(live, live_api, fake_telegram):
    """Plan 9.2: several campaigns at once, 100+ recipients each, one rate for the bot."""
    agent = await bot_agent(live_api, fake_telegram, rate=100)
    ids = []
    for campaign in range(3):
        recipients = [str(10_000 * (campaign + 1) + i) for i in range(110)]
        body = {"message": f"Campaign {campaign}", "integration_type": "telegram", "recipients": recipients}
        ids.append((await live_api.post(f"/api/agents/{agent['id']}/settings/broadcast", json=body)).json()["results"]["id"])

    async def all_done():
        states = [(await status(live_api, agent["id"], i))["status"] for i in ids]
        return all(s == "completed" for s in states)

    await wait_until(all_done, timeout=30, what="three campaigns completed")
    sent = fake_telegram.sent(token=TOKEN)
    assert len(sent) == 330 and len({(s.text, s.chat_id) for s in sent}) == 330
    rate = (len(sent) - 20) / (sent[-1].at - sent[0].at)  # after the initial burst of 20
    assert rate <= 100 * 1.1


async def test_opt_out_words_are_configurable(live, live_api, fake_telegram, fake_openai):
    agent = await bot_agent(live_api, fake_telegram)
    settings = {"broadcasts": {"opt_out_keywords": ["no more"], "opt_out_reply": "Done, no more news."}}
    assert (await live_api.put(f"/api/agents/{agent['id']}/settings", json=settings)).status_code == 200
    fake_telegram.push_message(TOKEN, 888, "STOP")  # not a keyword any more: the AI answers
    fake_telegram.push_message(TOKEN, 888, "No more!")
    sent = await fake_telegram.awaited_sent(2, token=TOKEN)
    assert [s.text for s in sent] == ["Reply to: STOP", "Done, no more news."]


def test_seventy_thousand_recipients_in_batched_statements(ctx):
    """Defect 18: 70,000 recipients (over PostgreSQL's 65,535 bind parameters) on both backends,
    contacts found beyond the first batches, and a few dozen INSERTs rather than one per row."""
    agent = agents.create_agent(ctx, agents.AgentCreate(name="Big", model="gpt-4o-mini"))
    recipients = [str(1_000_000_000 + i) for i in range(70_000)]
    with Session(ctx.engine) as session:
        integration = Integration(agent_id=agent["id"], channel="telegram", provider="telegram_bot", name="b", external_id="b")
        session.add(integration)
        session.flush()
        for remote_id, name, opted_out in ((recipients[65_600], "Ada", False), (recipients[69_990], "Bo", True)):
            session.add(
                Conversation(
                    agent_id=agent["id"],
                    integration_id=integration.id,
                    channel="telegram",
                    remote_id=remote_id,
                    contact_name=name,
                    opted_out=opted_out,
                )
            )
        session.commit()
    statements: list[tuple[str, int]] = []

    def record(_conn, _cursor, statement, parameters, _context, executemany):
        statements.append((statement, 0 if executemany else len(parameters or ())))

    body = broadcasts.BroadcastCreate(
        message="Hello {name}!",
        integration_type="telegram",
        recipients=recipients + ["12x", recipients[5]],
    )
    event.listen(ctx.engine, "before_cursor_execute", record)
    try:
        view = broadcasts.create_broadcast(ctx, agent["id"], body)
    finally:
        event.remove(ctx.engine, "before_cursor_execute", record)
    assert (view["total"], view["pending"], view["skipped"]) == (70_001, 69_999, 2)
    with Session(ctx.engine) as session:
        rows = session.exec(
            select(OutboxMessage.recipient, OutboxMessage.text, OutboxMessage.status).where(
                OutboxMessage.broadcast_id == view["id"]
            )
        ).all()
        keys = session.exec(select(func.count(func.distinct(OutboxMessage.idempotency_key)))).one()
    assert len(rows) == keys == 70_001
    by_recipient = {recipient: (text, status) for recipient, text, status in rows}
    assert by_recipient[recipients[65_600]] == ("Hello Ada!", "pending")
    assert by_recipient[recipients[69_990]] == ("Hello Bo!", "skipped") and by_recipient["12x"][1] == "skipped"
    assert by_recipient[recipients[0]] == ("Hello!", "pending")
    inserts = [s for s, _ in statements if s.lstrip().upper().startswith("INSERT INTO OUTBOX")]
    assert len(inserts) <= 70_001 // broadcasts.INSERT_BATCH + 1  # not one statement per row
    assert max(n for _, n in statements) < 65_535  # PostgreSQL's bind parameter limit


async def test_big_campaigns_over_the_api_or_an_error_saying_what_to_do(ctx, api):
    """70,000 Telegram chat ids fit in one request; 80,000 phone numbers are over the 1 MiB body
    limit and the 413 says how many fit; 100,001 short recipients get the 422 naming the field."""
    agent = await create_agent(api)
    with Session(ctx.engine) as session:
        session.add(Integration(agent_id=agent["id"], channel="telegram", provider="telegram_bot", name="b", external_id="b"))
        session.commit()
    url = f"/api/agents/{agent['id']}/settings/broadcast"
    body = {"message": "Sale", "integration_type": "telegram", "recipients": [str(1_000_000_000 + i) for i in range(70_000)]}
    created = await api.post(url, json=body)
    assert created.status_code == 201, created.text[:300]
    assert created.json()["results"]["pending"] == 70_000
    phones = {"message": "Sale", "integration_type": "whatsapp", "recipients": [f"+4417{i:08d}" for i in range(80_000)]}
    too_large = await api.post(url, json=phones)
    assert too_large.status_code == 413
    assert "about 69,000 Telegram chat ids or 58,000 phone numbers" in too_large.json()["message"]
    assert "split the list over several campaigns" in too_large.json()["message"]
    too_many = await api.post(url, json={**body, "recipients": ["1"] * 100_001})
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["field"] == "recipients"
    assert "at most 100,000 recipients per campaign" in too_many.json()["errors"][0]["message"]
