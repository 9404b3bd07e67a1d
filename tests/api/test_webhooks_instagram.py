"""Instagram DMs end to end: connect with INSTAGRAM_APP_SECRET / INSTAGRAM_VERIFY_TOKEN, webhook checks
naming the setting to fix, echoes skipped, AI replies per customer, and a broadcast (plan 5.1)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from ai_agents.db.models import Integration, Message
from tests.fakes.meta_webhooks import ig_message, ig_payload, post_signed
from tests.support.flows import create_agent
from tests.support.meta import connect_instagram, messages_of, run_broadcast

PAGE_ID = "200300400500"
IG_ID = "17841400000000009"
TOKEN = "EAAGinstagrampagetokenvalue000000001"
ENV_SECRET = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
ENV_VERIFY = "insta-verify-2c4e"
HOOK = "/api/webhooks/instagram"


@pytest.fixture
def settings_overrides() -> dict:
    return {"instagram_app_secret": ENV_SECRET, "instagram_verify_token": ENV_VERIFY, "broadcast_tick_seconds": 0.1}


async def connected(live_api, fake_graph, **fields) -> tuple[dict, dict]:
    agent = await create_agent(live_api)
    return agent, await connect_instagram(live_api, agent["id"], fake_graph, PAGE_ID, TOKEN, IG_ID, **fields)


def dm(sender: str, text: str, mid: str, **kwargs) -> dict:
    return ig_payload(IG_ID, ig_message(sender, IG_ID, text, mid, **kwargs))


async def test_connect_with_the_env_defaults_logs_instagram_connected(live, live_api, fake_graph, logs):
    _, integration = await connected(live_api, fake_graph)
    assert integration["type"] == "instagram" and integration["external_id"] == PAGE_ID
    assert integration["display_name"] == "Acme Page" and integration["token"] == "EA...0001"
    assert "✅ Instagram connected" in logs.text and TOKEN not in logs.text
    with Session(live.ctx.engine) as session:
        row = session.exec(select(Integration)).one()
    assert row.config["webhook_ids"] == [IG_ID] and TOKEN not in row.credentials_encrypted
    health = (await live_api.get("/api/health")).json()["results"]
    assert health["instagram"] == {"total_pages": 1, "connected_pages": 1}


async def test_wrong_verify_token_and_wrong_app_secret_name_the_settings(live, live_api, fake_graph, logs):
    """The plan's troubleshooting: 'check INSTAGRAM_VERIFY_TOKEN and INSTAGRAM_APP_SECRET'."""
    _, integration = await connected(live_api, fake_graph)
    params = {"hub.mode": "subscribe", "hub.verify_token": ENV_VERIFY, "hub.challenge": "42"}
    assert (await live_api.get(HOOK, params=params)).text == "42"
    wrong = await live_api.get(HOOK, params={**params, "hub.verify_token": "typo"})
    assert wrong.status_code == 403 and "INSTAGRAM_VERIFY_TOKEN" in wrong.json()["message"]
    assert "INSTAGRAM_VERIFY_TOKEN" in logs.text
    refused = await post_signed(live_api, HOOK, dm("6655443322", "hi", "mid.X"), "not-the-app-secret")
    assert refused.status_code == 403 and "INSTAGRAM_APP_SECRET" in refused.json()["message"]
    view = (await live_api.get(f"/api/integrations/{integration['id']}")).json()["results"]
    assert "INSTAGRAM_APP_SECRET" in view["last_error"] and "INSTAGRAM_APP_SECRET" in logs.text
    assert ENV_SECRET not in logs.text and ENV_SECRET not in str(view)
    with Session(live.ctx.engine) as session:
        assert session.exec(select(Message)).all() == []


async def test_an_integrations_own_secret_wins_over_the_env_default(live, live_api, fake_graph):
    await connected(live_api, fake_graph, app_secret="own-app-secret-0123456789abcdef")
    assert (await post_signed(live_api, HOOK, dm("6655443322", "hi", "mid.O1"), ENV_SECRET)).status_code == 403
    ok = await post_signed(live_api, HOOK, dm("6655443322", "hi", "mid.O1"), "own-app-secret-0123456789abcdef")
    assert ok.status_code == 200 and ok.json()["results"]["messages"] == 1


async def test_dms_from_several_customers_get_their_own_replies_and_echoes_are_skipped(
    live, live_api, fake_graph, fake_openai, logs
):
    """Plan 1.3 and 1.4 over Instagram: our own sends come back as echoes and are not answered."""
    await connected(live_api, fake_graph)
    customers = ["6655443322", "7766554433", "8877665544"]
    for number, customer in enumerate(customers):
        answer = await post_signed(live_api, HOOK, dm(customer, f"Is the red one in stock? ({number})", f"mid.{number}"),
                                   ENV_SECRET)
        assert answer.status_code == 200
    sent = await fake_graph.awaited_sent(3)
    echoes = ig_payload(IG_ID, *(ig_message(m.to, IG_ID, m.text, m.message_id, is_echo=True) for m in sent))
    assert (await post_signed(live_api, HOOK, echoes, ENV_SECRET)).json()["results"]["messages"] == 0
    await live.pipeline.drain()
    for number, customer in enumerate(customers):
        assert [m.text for m in fake_graph.sent(to=customer)] == [f"Reply to: Is the red one in stock? ({number})"]
        history = await messages_of(live_api, customer)
        assert [m["role"] for m in history] == ["user", "assistant"]
    assert len(fake_openai.requests()) == 3 and logs.count("✅ Response sent") == 3


async def test_broadcast_over_instagram_sends_within_the_window_and_fails_the_rest_with_the_reason(
    live, live_api, fake_graph
):
    """Plan 5.1: 50+ Instagram user ids; only those who wrote in the last 24 hours can be reached."""
    agent, _ = await connected(live_api, fake_graph)
    wrote = [f"66554433{i:02d}" for i in range(3)]
    for i, customer in enumerate(wrote):
        await post_signed(live_api, HOOK, dm(customer, "hello", f"mid.w{i}"), ENV_SECRET)
    await fake_graph.awaited_sent(3)
    strangers = [f"99000000{i:02d}" for i in range(50)]
    body = {"message": "New collection is out!", "integration_type": "instagram", "recipients": wrote + strangers,
            "scheduled_at": None}
    url = await run_broadcast(live_api, agent["id"], body, until="completed_with_errors")
    final = (await live_api.get(url)).json()["results"]
    assert (final["sent"], final["failed"], final["total"]) == (3, 50, 53)
    assert sorted(m.to for m in fake_graph.sent() if m.text == "New collection is out!") == wrote
    recipients = (await live_api.get(url + "/recipients", params={"limit": 100})).json()["results"]
    reasons = {r["error"] for r in recipients if r["status"] == "failed"}
    assert len(reasons) == 1 and "24-hour messaging window" in reasons.pop()
