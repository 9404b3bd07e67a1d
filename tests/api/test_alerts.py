"""Alerts API: GET /api/alerts (filters, pagination, envelope) and acknowledging one (404, idempotent)."""

from __future__ import annotations

from datetime import timedelta

from ai_agents.core.types import AlertKind
from ai_agents.db.models import Agent, Alert, Conversation, Integration
from ai_agents.db.session import session_scope
from tests.api.test_settings import PLAN_SENTIMENT
from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "5005:AAalertsapitesttokenvalue00000000005"


def seed_alerts(ctx) -> dict:
    """Two agents, a conversation each, and five alerts of several kinds (oldest first)."""
    now = ctx.clock.now()
    with session_scope(ctx.engine) as session:
        ids = {}
        for name in ("A", "B"):
            agent = Agent(name=name, model="m")
            session.add(agent)
            session.flush()
            bot = Integration(agent_id=agent.id, channel="telegram", provider="telegram_bot")
            session.add(bot)
            session.flush()
            chat = Conversation(agent_id=agent.id, integration_id=bot.id, channel="telegram",
                                remote_id=f"7{agent.id}", contact_name=f"Customer {name}")
            session.add(chat)
            session.flush()
            ids[name] = (agent.id, chat.id)
        kinds = [
            (AlertKind.NEGATIVE_SENTIMENT, "A"),
            (AlertKind.ESCALATION, "A"),
            (AlertKind.DELIVERY_FAILURE, "B"),
            (AlertKind.NEGATIVE_SENTIMENT, "B"),
            (AlertKind.LLM_FAILURE, "A"),
        ]
        for n, (kind, owner) in enumerate(kinds):
            agent_id, chat_id = ids[owner]
            session.add(Alert(kind=kind, agent_id=agent_id, conversation_id=chat_id, text=f"alert {n}",
                              created_at=now + timedelta(seconds=n)))
    return ids


async def test_list_is_newest_first_in_the_envelope(api, ctx):
    seed_alerts(ctx)
    body = (await api.get("/api/alerts")).json()
    assert body["status"] == 200 and body["code"] == "SUCCESS"
    assert [a["text"] for a in body["results"]] == [f"alert {n}" for n in (4, 3, 2, 1, 0)]
    assert body["meta"] == {"total": 5, "limit": 50, "offset": 0}
    first = body["results"][0]
    assert first["kind"] == "llm_failure" and first["contact"] == "Customer A" and first["acknowledged"] is False


async def test_filters_and_pagination(api, ctx):
    ids = seed_alerts(ctx)
    agent_b, chat_b = ids["B"]

    async def texts(**params):
        body = (await api.get("/api/alerts", params=params)).json()
        return [a["text"] for a in body["results"]], body["meta"]["total"]

    assert await texts(kind="negative_sentiment") == (["alert 3", "alert 0"], 2)
    assert await texts(agent_id=agent_b) == (["alert 3", "alert 2"], 2)
    assert await texts(conversation_id=chat_b, kind="delivery_failure") == (["alert 2"], 1)
    assert await texts(limit=2, offset=1) == (["alert 3", "alert 2"], 5)
    first_id = (await api.get("/api/alerts", params={"limit": 1})).json()["results"][0]["id"]
    await api.post(f"/api/alerts/{first_id}/acknowledge")
    assert await texts(acknowledged="true") == (["alert 4"], 1)
    assert (await texts(acknowledged="false"))[1] == 4


async def test_bad_filters_name_the_field(api, ctx):
    bad = [
        ({"kind": "nonsense"}, "kind"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"offset": -1}, "offset"),
        ({"agent_id": 0}, "agent_id"),
        ({"acknowledged": "maybe"}, "acknowledged"),
    ]
    for params, field in bad:
        response = await api.get("/api/alerts", params=params)
        assert response.status_code == 422, params
        assert field in str(response.json()["errors"]), response.text


async def test_acknowledge_is_idempotent_and_404_for_unknown(api, ctx, clock):
    seed_alerts(ctx)
    alert_id = (await api.get("/api/alerts")).json()["results"][0]["id"]
    first = await api.post(f"/api/alerts/{alert_id}/acknowledge")
    assert first.status_code == 200 and first.json()["results"]["acknowledged"] is True
    stamped = first.json()["results"]["acknowledged_at"]
    clock.advance(minutes=5)
    again = await api.post(f"/api/alerts/{alert_id}/acknowledge")
    assert again.status_code == 200 and again.json()["results"]["acknowledged_at"] == stamped
    missing = await api.post("/api/alerts/999999/acknowledge")
    assert missing.status_code == 404 and missing.json()["code"] == "ALERT_NOT_FOUND"


async def test_a_negative_message_raises_an_alert_listed_and_published(live, live_api, fake_telegram):
    """The real flow: a very negative customer message (fake Telegram) gives an alert that the list
    shows with its conversation, and the live updates carry it to subscribers."""
    agent = await create_agent(live_api)
    assert (await live_api.put(f"/api/agents/{agent['id']}/settings", json=PLAN_SENTIMENT)).status_code == 200
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    async with live.ctx.live.subscribe(["alert"]) as alerts_published:
        fake_telegram.push_message(TOKEN, 55, "This is terrible! I'm very disappointed!", first_name="Olga")
        event = await wait_for_event(alerts_published)
    listed = (await live_api.get("/api/alerts", params={"agent_id": agent["id"]})).json()["results"]
    assert event["alert_id"] in [a["id"] for a in listed]
    negative = [a for a in listed if a["kind"] == "negative_sentiment"]
    assert negative and negative[0]["contact"] == "Olga"
    assert negative[0]["conversation_id"] == event["conversation_id"]


async def wait_for_event(subscription, timeout: float = 10.0) -> dict:
    holder: list[dict] = []

    async def arrived():
        holder.extend(subscription.drain())
        return bool(holder)

    await wait_until(arrived, timeout=timeout, what="a live event")
    return holder[0]
