"""WhatsApp Cloud API end to end: connect (token checked), webhook handshake and signature, AI replies,
redelivery, delivery statuses, E.164 customers, rate limits and the 24-hour window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from ai_agents.db.models import Alert, Conversation, Integration, Message, OutboxMessage
from tests.fakes.meta_webhooks import post_signed, sign, wa_change, wa_error, wa_payload, wa_status, wa_text
from tests.support.flows import create_agent, wait_until
from tests.support.meta import APP_SECRET, VERIFY_TOKEN, connect_whatsapp_cloud, messages_of, run_broadcast

NUMBER_ID = "106540352242922"
TOKEN = "EAAGcloudapitokenvalue0000000000000001"
HOOK = "/api/webhooks/whatsapp"


@pytest.fixture
def settings_overrides() -> dict:
    return {"broadcast_tick_seconds": 0.1}


async def connected(live_api, fake_graph) -> tuple[dict, dict]:
    agent = await create_agent(live_api)
    return agent, await connect_whatsapp_cloud(live_api, agent["id"], fake_graph, NUMBER_ID, TOKEN)


def stored(live, model) -> list:
    with Session(live.ctx.engine) as session:
        return list(session.exec(select(model)))


async def test_connect_checks_the_token_and_never_shows_the_secrets(live, live_api, fake_graph, logs):
    agent, integration = await connected(live_api, fake_graph)
    assert integration["type"] == "whatsapp" and integration["provider"] == "whatsapp_cloud"
    assert integration["external_id"] == NUMBER_ID and integration["webhook_path"] == HOOK
    assert integration["token"] == "EA...0001" and integration["credentials_status"] == "ok"
    [row] = stored(live, Integration)
    for secret in (TOKEN, APP_SECRET, VERIFY_TOKEN):
        assert secret not in row.credentials_encrypted and secret not in logs.text and secret not in str(integration)
    assert "✅ WhatsApp Cloud API connected" in logs.text
    health = (await live_api.get("/api/health")).json()["results"]
    assert health["whatsapp"] == {"total_devices": 1, "connected_devices": 1}
    wrong = {"type": "whatsapp_cloud", "phone_number_id": "555", "access_token": "EAAGnope", "app_secret": "x",
             "verify_token": "y", "api_base_url": fake_graph.base_url}
    refused = await live_api.post(f"/api/agents/{agent['id']}/integrations", json=wrong)
    assert refused.status_code == 400 and "access_token" in refused.json()["message"]
    missing = await live_api.post(f"/api/agents/{agent['id']}/integrations", json={"type": "whatsapp_cloud"})
    fields = {p["field"] for p in missing.json()["errors"]}
    assert missing.status_code == 422 and fields == {"phone_number_id", "access_token", "app_secret", "verify_token"}
    assert len(stored(live, Integration)) == 1


async def test_handshake_echoes_the_challenge_only_for_the_verify_token(live, live_api, fake_graph, logs):
    await connected(live_api, fake_graph)
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"}
    good = await live_api.get(HOOK, params=params)
    assert good.status_code == 200 and good.text == "1158201444"
    bad = await live_api.get(HOOK, params={**params, "hub.verify_token": "not-it"})
    assert bad.status_code == 403 and "verify_token" in bad.json()["message"] and "1158201444" not in bad.text
    assert "❌ WhatsApp Cloud API webhook verification failed" in logs.text and VERIFY_TOKEN not in logs.text


async def test_forged_or_missing_signature_is_403_and_nothing_is_stored(live, live_api, fake_graph, fake_openai, logs):
    _, integration = await connected(live_api, fake_graph)
    payload = wa_payload(wa_change(NUMBER_ID, messages=[wa_text("14155550100", "Hi", "wamid.F1")]))
    forged = await post_signed(live_api, HOOK, payload, "an-attackers-guess-at-the-secret")
    missing = await post_signed(live_api, HOOK, payload, None)
    assert forged.status_code == 403 and missing.status_code == 403
    assert stored(live, Message) == [] and stored(live, Conversation) == [] and fake_openai.requests() == []
    view = (await live_api.get(f"/api/integrations/{integration['id']}")).json()["results"]
    assert "app_secret" in view["last_error"] and "App Secret" in view["last_error"]
    assert logs.count("Webhook signature check failed") == 1  # once, when it starts failing
    good = await post_signed(live_api, HOOK, payload, APP_SECRET)
    assert good.status_code == 200 and good.json()["results"] == {"messages": 1, "statuses": 0}
    view = (await live_api.get(f"/api/integrations/{integration['id']}")).json()["results"]
    assert view["last_error"] is None


async def test_batched_customers_get_isolated_ai_replies_and_redelivery_is_ignored(
    live, live_api, fake_graph, fake_openai, logs
):
    """Plan 1.3 and 1.4 over the Cloud API: several numbers, two entries in one call."""
    await connected(live_api, fake_graph)
    customers = ["14155550100", "4915112345678", "447700900123"]
    payload = wa_payload(
        *(wa_change(NUMBER_ID, messages=[wa_text(c, f"Question {i} from {c}", f"wamid.{c}.{i}")]) for c in customers
          for i in range(2)),
        entries=2,
    )
    answer = await post_signed(live_api, HOOK, payload, APP_SECRET)
    assert answer.status_code == 200 and answer.json()["results"]["messages"] == 6
    await fake_graph.awaited_sent(6)
    again = await post_signed(live_api, HOOK, payload, APP_SECRET)  # Meta redelivers
    assert again.status_code == 200
    await live.pipeline.drain()
    for customer in customers:
        texts = [m.text for m in fake_graph.sent(to=customer)]
        assert sorted(texts) == [f"Reply to: Question {i} from {customer}" for i in range(2)]
        history = await messages_of(live_api, f"+{customer}")
        assert {m["text"] for m in history if m["role"] == "user"} == {f"Question {i} from {customer}" for i in range(2)}
        assert all(customer in m["text"] for m in history)  # only this customer's messages
    assert len(stored(live, Message)) == 12 and len(fake_graph.sent()) == 6
    assert logs.count("💬 [AgentHandler] Processing message") == 6 and logs.count("✅ Response sent") == 6


async def test_delivery_statuses_show_on_the_message_and_a_failure_raises_an_alert(live, live_api, fake_graph):
    await connected(live_api, fake_graph)
    await post_signed(live_api, HOOK, wa_payload(wa_change(NUMBER_ID, messages=[
        wa_text("14155550100", "first", "wamid.S1"), wa_text("4915112345678", "second", "wamid.S2")])), APP_SECRET)
    await fake_graph.awaited_sent(2)
    await live.pipeline.drain()
    first, second = fake_graph.sent(to="14155550100")[0], fake_graph.sent(to="4915112345678")[0]

    async def reply_status(customer: str) -> dict:
        await wait_until(lambda: all(r.external_id for r in stored(live, OutboxMessage)), what="sends recorded")
        return [m for m in await messages_of(live_api, customer) if m["role"] == "assistant"][0]

    statuses = [wa_status(first.message_id, "read", "14155550100"),  # out of order: read first
                wa_status(first.message_id, "delivered", "14155550100"),
                wa_status(second.message_id, "failed", "4915112345678",
                          [wa_error(131026, "Message undeliverable", "the recipient is not on WhatsApp")])]
    await reply_status("+14155550100")
    answer = await post_signed(live_api, HOOK, wa_payload(wa_change(NUMBER_ID, statuses=statuses)), APP_SECRET)
    assert answer.json()["results"] == {"messages": 0, "statuses": 3}
    read = await reply_status("+14155550100")
    failed = await reply_status("+4915112345678")
    assert read["status"] == "read"
    assert failed["status"] == "failed" and "131026" in failed["error"] and "not on WhatsApp" in failed["error"]
    alerts = [a for a in stored(live, Alert) if a.kind == "delivery_failure"]
    assert len(alerts) == 1 and "4915112345678" in alerts[0].text


async def test_rate_limit_130429_is_retried_until_sent(live, live_api, fake_graph):
    await connected(live_api, fake_graph)
    fake_graph.fail(code=130429, times=1)
    await post_signed(live_api, HOOK, wa_payload(wa_change(NUMBER_ID, messages=[
        wa_text("14155550100", "busy?", "wamid.R1")])), APP_SECRET)
    [sent] = await fake_graph.awaited_sent(1, timeout=8)
    assert sent.text == "Reply to: busy?"
    await wait_until(lambda: stored(live, OutboxMessage)[0].status == "sent", what="row sent")
    row = stored(live, OutboxMessage)[0]
    assert row.attempts == 2 and row.external_id == sent.message_id


async def test_broadcast_reaches_the_customers_conversation_and_fails_outside_the_window(live, live_api, fake_graph):
    """Plan 5 over the Cloud API: +1 415 555 0100 in a broadcast is the customer who wrote from
    14155550100 (one conversation); a number that never wrote is outside the 24-hour window."""
    agent, _ = await connected(live_api, fake_graph)
    await post_signed(live_api, HOOK, wa_payload(wa_change(NUMBER_ID, names={"14155550100": "Ann"}, messages=[
        wa_text("14155550100", "hello", "wamid.B1")])), APP_SECRET)
    await fake_graph.awaited_sent(1)
    body = {"message": "Hi {name}, our sale starts today!", "integration_type": "whatsapp",
            "recipients": ["+1 415 555 0100", "+14155550199"], "scheduled_at": None}
    url = await run_broadcast(live_api, agent["id"], body, until="completed_with_errors")
    assert [m.text for m in fake_graph.sent(to="14155550100")][-1] == "Hi Ann, our sale starts today!"
    assert fake_graph.sent(to="14155550199") == []
    recipients = {r["recipient"]: r for r in (await live_api.get(url + "/recipients")).json()["results"]}
    assert recipients["+14155550100"]["status"] == "sent"
    never = recipients["+14155550199"]
    assert never["status"] == "failed" and "24-hour messaging window" in never["error"]
    assert "never written" in never["error"] and "template" in never["error"]
    assert len(stored(live, Conversation)) == 1


async def test_a_reply_after_the_window_closed_fails_with_the_reason(live, live_api, fake_graph):
    await connected(live_api, fake_graph)
    await post_signed(live_api, HOOK, wa_payload(wa_change(NUMBER_ID, messages=[
        wa_text("14155550100", "hello", "wamid.W1")])), APP_SECRET)
    await fake_graph.awaited_sent(1)
    with Session(live.ctx.engine) as session:
        conversation = session.exec(select(Conversation)).one()
        conversation.last_customer_message_at -= timedelta(hours=25)
        session.add(conversation)
        session.commit()
        conversation_id = conversation.id
    sent = await live_api.post(f"/api/conversations/{conversation_id}/messages", json={"message": "Still there?"})
    assert sent.status_code in (200, 201), sent.text

    async def manager_message() -> dict | None:
        found = [m for m in await messages_of(live_api, "+14155550100") if m["role"] == "manager"]
        return found[0] if found and found[0]["status"] == "failed" else None

    await wait_until(manager_message, what="manager message failed")
    failed = await manager_message()
    assert "outside the 24-hour messaging window" in failed["error"] and "last wrote" in failed["error"]
    assert len(fake_graph.sent()) == 1  # only the AI's first reply went out


@pytest.mark.parametrize("settings_overrides", [{"api_token": "a-long-api-token-0123456789"}])
async def test_webhooks_need_no_api_token_but_the_rest_of_the_api_does(live, live_api, fake_graph):
    live_api.headers["Authorization"] = "Bearer a-long-api-token-0123456789"
    await connected(live_api, fake_graph)
    del live_api.headers["Authorization"]
    assert (await live_api.get("/api/integrations")).status_code == 401
    payload = wa_payload(wa_change(NUMBER_ID, messages=[wa_text("14155550100", "Hi", "wamid.T1")]))
    assert (await post_signed(live_api, HOOK, payload, APP_SECRET)).status_code == 200
    body = b"{}"
    assert (await live_api.post(HOOK, content=body, headers={"X-Hub-Signature-256": sign(body, "x")})).status_code == 403
