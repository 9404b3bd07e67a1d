"""Plan Tests 2, 3 and 4 end to end: working hours, translation both ways, sentiment and escalation."""

from __future__ import annotations

import asyncio
import threading
from datetime import datetime, timezone

import httpx
import pytest
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from ai_agents.core.clock import ManualClock
from ai_agents.db.models import Alert, Message
from tests.api.test_settings import PLAN_SENTIMENT, PLAN_TRANSLATION, PLAN_WORKING_HOURS
from tests.fakes.http_server import BackgroundServer
from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "7007:AAbehaviourtesttokenvalue000000007"
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
MONDAY_20 = datetime(2026, 11, 23, 20, 0, tzinfo=timezone.utc)


@pytest.fixture
def live_clock():
    return ManualClock(MONDAY_10)


async def agent_with_bot(api, fake_telegram, settings: dict) -> dict:
    agent = await create_agent(api)
    response = await api.put(f"/api/agents/{agent['id']}/settings", json=settings)
    assert response.status_code == 200, response.text
    await connect_bot(api, agent["id"], fake_telegram, TOKEN)
    return agent


def stored(live, role: str | None = None) -> list[Message]:
    with Session(live.ctx.engine) as session:
        query = select(Message).order_by(Message.id)
        if role:
            query = query.where(Message.role == role)
        return list(session.exec(query))


async def handled(live, count: int) -> None:
    await wait_until(lambda: [m.status for m in stored(live, "user")] == ["handled"] * count, what=f"{count} handled")


# -- Test 2: working hours ---------------------------------------------------------------------------
async def test_inside_hours_normal_reply(live, live_api, fake_telegram, logs):
    await agent_with_bot(live_api, fake_telegram, PLAN_WORKING_HOURS)
    fake_telegram.push_message(TOKEN, 1, "Hi")
    sent = await fake_telegram.awaited_sent(1, token=TOKEN)
    assert sent[0].text == "Reply to: Hi"
    assert logs.count("✅ [AgentService] Message processed during working hours") == 1


async def test_outside_hours_away_message_once_per_night(live, live_api, fake_telegram, fake_openai, live_clock, logs):
    await agent_with_bot(live_api, fake_telegram, PLAN_WORKING_HOURS)
    live_clock.set(MONDAY_20)
    for text in ("Hello?", "Anyone there?", "Please answer"):
        fake_telegram.push_message(TOKEN, 2, text)
    await handled(live, 3)
    sent = await fake_telegram.awaited_sent(1, token=TOKEN)
    away = PLAN_WORKING_HOURS["working_hours"]["away_message"]
    assert [s.text for s in sent] == [away]
    assert logs.count("⏰ [AgentService] Outside working hours, sending away message") == 1
    assert fake_openai.requests() == []  # the AI does not answer at night
    assert [m.text for m in stored(live, "user")] == ["Hello?", "Anyone there?", "Please answer"]

    live_clock.set(datetime(2026, 11, 24, 11, 0, tzinfo=timezone.utc))  # Tuesday, open
    fake_telegram.push_message(TOKEN, 2, "Good morning")
    await fake_telegram.awaited_sent(2, token=TOKEN)
    live_clock.set(datetime(2026, 11, 24, 22, 0, tzinfo=timezone.utc))  # Tuesday night: a new period
    fake_telegram.push_message(TOKEN, 2, "Late again")
    sent = await fake_telegram.awaited_sent(3, token=TOKEN)
    assert sent[-1].text == away


async def test_next_open_placeholder_in_agent_timezone(live, live_api, fake_telegram, live_clock):
    settings = {
        "working_hours": {
            **PLAN_WORKING_HOURS["working_hours"],
            "timezone": "Europe/Berlin",
            "away_message": "Closed. Back {next_open}.",
        }
    }
    await agent_with_bot(live_api, fake_telegram, settings)
    live_clock.set(datetime(2026, 11, 27, 19, 0, tzinfo=timezone.utc))  # Friday 20:00 in Berlin
    fake_telegram.push_message(TOKEN, 3, "Hi")
    sent = await fake_telegram.awaited_sent(1, token=TOKEN)
    assert sent[0].text == "Closed. Back Monday 09:00 CET."


# -- Test 3: translation ------------------------------------------------------------------------------
SPANISH = {
    "Hola, ¿cómo estás?": "Hello, how are you?",
    "Reply to: Hello, how are you?": "Respuesta a: Hola, ¿cómo estás?",
}


def translating_responder(body: dict, _key: str) -> str:
    system = body["messages"][0]["content"]
    text = body["messages"][-1]["content"]
    if system.startswith("You are a translation engine"):
        return SPANISH[text]
    return f"Reply to: {text}"


async def test_spanish_in_english_for_the_ai_spanish_out(live, live_api, fake_telegram, fake_openai, logs):
    fake_openai.set_responder(translating_responder)
    await agent_with_bot(live_api, fake_telegram, PLAN_TRANSLATION)
    fake_telegram.push_message(TOKEN, 4, "Hola, ¿cómo estás?")
    sent = await fake_telegram.awaited_sent(1, token=TOKEN)
    assert sent[0].text == "Respuesta a: Hola, ¿cómo estás?"
    reply_request = next(r for r in fake_openai.requests() if not r["messages"][0]["content"].startswith("You are a translation"))
    assert reply_request["messages"][-1] == {"role": "user", "content": "Hello, how are you?"}
    assert logs.count("🌐 [AgentService] Detected language: es") == 1
    assert logs.count("🔄 [AgentService] Translated incoming message from es to en") == 1
    assert logs.count("🔄 [AgentService] Translated outgoing response from en to es") == 1
    await wait_until(lambda: len(stored(live)) == 2 and stored(live)[1].status == "sent", what="reply stored")
    incoming, outgoing = stored(live)
    assert (incoming.text, incoming.translation, incoming.language) == ("Hola, ¿cómo estás?", "Hello, how are you?", "es")
    assert (outgoing.text, outgoing.translation) == ("Respuesta a: Hola, ¿cómo estás?", "Reply to: Hello, how are you?")


async def test_failed_translation_falls_back_to_the_original(live, live_api, fake_telegram, fake_openai, logs):
    def responder(body, _key):
        if body["messages"][0]["content"].startswith("You are a translation engine"):
            return {"status": 500, "message": "translation backend down"}
        return f"Reply to: {body['messages'][-1]['content']}"

    fake_openai.set_responder(responder)
    await agent_with_bot(live_api, fake_telegram, PLAN_TRANSLATION)
    fake_telegram.push_message(TOKEN, 5, "Hola, ¿cómo estás?")
    sent = await fake_telegram.awaited_sent(1, token=TOKEN)
    assert sent[0].text == "Reply to: Hola, ¿cómo estás?"  # nothing lost, just untranslated
    assert logs.count("Translation from es to en failed, keeping the original") == 1


async def test_english_customer_needs_no_translation(live, live_api, fake_telegram, fake_openai):
    await agent_with_bot(live_api, fake_telegram, PLAN_TRANSLATION)
    fake_telegram.push_message(TOKEN, 6, "Where is my order, please?")
    await fake_telegram.awaited_sent(1, token=TOKEN)
    assert len(fake_openai.requests()) == 1


# -- Test 4: sentiment ----------------------------------------------------------------------------------
PLAN_MESSAGES = [
    "Thank you so much! Great service!",
    "This is terrible! I'm very disappointed!",
    "This is the worst experience ever! I want a refund immediately!",
]


def alerts(live) -> list[Alert]:
    with Session(live.ctx.engine) as session:
        return list(session.exec(select(Alert).order_by(Alert.id)))


async def test_plan_sentiment_messages(live, live_api, fake_telegram, fake_openai, logs):
    await agent_with_bot(live_api, fake_telegram, PLAN_SENTIMENT)
    fake_telegram.push_message(TOKEN, 8, PLAN_MESSAGES[0])
    await fake_telegram.awaited_sent(1, token=TOKEN)
    assert "📊 [AgentService] Sentiment for user message: 0.8" in logs.text and alerts(live) == []

    fake_telegram.push_message(TOKEN, 8, PLAN_MESSAGES[1])
    await fake_telegram.awaited_sent(2, token=TOKEN)
    assert [a.kind for a in alerts(live)] == ["negative_sentiment"]
    assert logs.count("⚠️  [AgentService] Negative sentiment detected") == 1
    assert logs.count("🚨") == 0

    fake_telegram.push_message(TOKEN, 8, PLAN_MESSAGES[2])
    await handled(live, 3)
    assert [a.kind for a in alerts(live)] == ["negative_sentiment", "negative_sentiment", "escalation"]
    assert logs.count("🚨 [AgentService] Very negative sentiment detected, consider escalating to human") == 1
    conversation = (await live_api.get("/api/conversations")).json()["results"][0]
    assert conversation["manual_mode"] is True and conversation["escalated"] is True
    assert "refund" in conversation["manual_reason"]
    detail = (await live_api.get(f"/api/conversations/{conversation['id']}")).json()["results"]
    assert detail["notes"][0]["author"] == "system" and "Escalated" in detail["notes"][0]["notes"]
    await asyncio.sleep(0.2)
    assert len(fake_telegram.sent(token=TOKEN)) == 2  # no AI reply once escalated
    scores = [m.sentiment for m in stored(live, "user")]
    assert scores[0] > 0.5 and scores[1] <= -0.5 and scores[2] <= -0.5


async def test_without_escalation_setting_the_ai_keeps_answering(live, live_api, fake_telegram):
    settings = {"sentiment": {**PLAN_SENTIMENT["sentiment"], "escalate_on_very_negative": False}}
    await agent_with_bot(live_api, fake_telegram, settings)
    fake_telegram.push_message(TOKEN, 9, PLAN_MESSAGES[2])
    await fake_telegram.awaited_sent(1, token=TOKEN)
    assert [a.kind for a in alerts(live)] == ["negative_sentiment", "escalation"]
    conversation = (await live_api.get("/api/conversations")).json()["results"][0]
    assert conversation["manual_mode"] is False


# -- alert delivery and manager translation -------------------------------------------------------------
async def test_alerts_reach_a_telegram_chat_and_a_webhook(live, live_api, fake_telegram, fake_openai):
    received = []

    async def hook(request):
        received.append(await request.json())
        return JSONResponse({"ok": True})

    with BackgroundServer(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as server:
        settings = {
            "sentiment": {
                **PLAN_SENTIMENT["sentiment"],
                "alert_telegram_chat_id": "-100500",
                "alert_webhook_url": server.base_url + "/hook",
            }
        }
        await agent_with_bot(live_api, fake_telegram, settings)
        fake_telegram.push_message(TOKEN, 10, PLAN_MESSAGES[1], first_name="Olga")
        alert = await fake_telegram.awaited_sent(1, token=TOKEN, chat_id=-100500)
        assert alert[0].text.startswith("⚠️ negative sentiment (Olga): Negative message (-0.")
        await wait_until(lambda: len(received) == 1, what="webhook call")
    assert received[0]["kind"] == "negative_sentiment" and received[0]["conversation_id"]


async def test_alerts_delivered_together_share_one_webhook_client_made_off_the_event_loop(
    live, live_api, fake_telegram, fake_openai, monkeypatch
):
    """Making an HTTP client loads the CA certificates, a stall of tens of ms: not on the loop."""
    received, made_in = [], []
    real_client = httpx.AsyncClient

    def recording(*args, **kwargs):
        made_in.append(threading.get_ident())
        return real_client(*args, **kwargs)

    async def hook(request):
        received.append((await request.json())["kind"])
        return JSONResponse({"ok": True})

    monkeypatch.setattr(httpx, "AsyncClient", recording)
    with BackgroundServer(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as server:
        settings = {"sentiment": {**PLAN_SENTIMENT["sentiment"], "alert_webhook_url": server.base_url + "/hook"}}
        await agent_with_bot(live_api, fake_telegram, settings)
        made_in.clear()  # the test's own API client
        fake_telegram.push_message(TOKEN, 12, PLAN_MESSAGES[2])  # very negative: an alert and an escalation
        await wait_until(lambda: len(received) == 2, what="webhook calls")
    assert sorted(received) == ["escalation", "negative_sentiment"]
    assert len(made_in) == 1 and made_in[0] != threading.get_ident()


async def test_manager_message_translated_when_agent_asks(live, live_api, fake_telegram, fake_openai, logs):
    def responder(body, _key):
        text = body["messages"][-1]["content"]
        if body["messages"][0]["content"].startswith("You are a translation engine"):
            return {"Hola, ¿cómo estás?": "Hello, how are you?", "We refunded you.": "Le hemos reembolsado."}.get(text, text)
        return f"Reply to: {text}"

    fake_openai.set_responder(responder)
    settings = {"translation": {**PLAN_TRANSLATION["translation"], "translate_manager_messages": True}}
    await agent_with_bot(live_api, fake_telegram, settings)
    fake_telegram.push_message(TOKEN, 11, "Hola, ¿cómo estás?")
    await fake_telegram.awaited_sent(1, token=TOKEN)
    conversation = (await live_api.get("/api/conversations")).json()["results"][0]["id"]
    sent = await live_api.post(f"/api/conversations/{conversation}/messages", json={"message": "We refunded you."})
    assert sent.json()["results"]["text"] == "Le hemos reembolsado."
    assert sent.json()["results"]["translation"] == "We refunded you."
    delivered = await fake_telegram.awaited_sent(2, token=TOKEN)
    assert delivered[-1].text == "Le hemos reembolsado."
    raw = await live_api.post(f"/api/conversations/{conversation}/messages", json={"message": "OK!", "translate": False})
    assert raw.json()["results"]["text"] == "OK!"
