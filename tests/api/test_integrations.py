"""Integrations API: connect a Telegram bot (token checked, encrypted), status, start/stop, delete."""

from __future__ import annotations

from sqlmodel import Session, select

from ai_agents.db.models import Integration
from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "2002:AAintegrationtesttokenvalue00000002"


async def test_connect_shows_identity_status_and_masked_token(live, live_api, fake_telegram, logs):
    agent = await create_agent(live_api)
    created = await connect_bot(live_api, agent["id"], fake_telegram, TOKEN, username="acme_bot")
    assert created["type"] == "telegram" and created["display_name"] == "@acme_bot"
    assert created["token"] == "20...0002" and created["api_base_url"] == fake_telegram.base_url
    view = (await live_api.get(f"/api/integrations/{created['id']}")).json()["results"]
    assert view["connected"] is True and view["running"] is True and view["status"] == "connected"
    with Session(live.ctx.engine) as session:
        stored = session.exec(select(Integration)).one()
    assert TOKEN not in stored.credentials_encrypted
    assert TOKEN not in logs.text
    listed = (await live_api.get(f"/api/agents/{agent['id']}/integrations")).json()["results"]
    assert [i["id"] for i in listed] == [created["id"]]


async def test_bad_token_is_a_clear_400(live, live_api, fake_telegram):
    agent = await create_agent(live_api)
    body = {"type": "telegram", "token": "3003:unknown", "api_base_url": fake_telegram.base_url}
    response = await live_api.post(f"/api/agents/{agent['id']}/integrations", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_CREDENTIALS" and "rejected" in response.json()["message"]
    assert (await live_api.get("/api/integrations")).json()["results"] == []


async def test_same_bot_twice_is_409(live, live_api, fake_telegram):
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    body = {"type": "telegram", "token": TOKEN, "api_base_url": fake_telegram.base_url}
    response = await live_api.post(f"/api/agents/{agent['id']}/integrations", json=body)
    assert response.status_code == 409 and response.json()["code"] == "INTEGRATION_EXISTS"


async def test_validation_of_the_body(live, live_api):
    agent = await create_agent(live_api)
    url = f"/api/agents/{agent['id']}/integrations"
    missing = await live_api.post(url, json={"type": "telegram"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "token"
    unknown = await live_api.post(url, json={"type": "fax", "token": "x"})
    assert unknown.json()["errors"][0]["field"] == "type"
    meta = await live_api.post(url, json={"type": "instagram", "token": "1:x"})
    assert meta.status_code == 422
    problems = {p["field"]: p["message"] for p in meta.json()["errors"]}
    assert set(problems) == {"page_id", "access_token", "token"} and "not used by instagram" in problems["token"]
    nobody = await live_api.post("/api/agents/999/integrations", json={"type": "telegram", "token": "1:x"})
    assert nobody.status_code == 404


async def test_stop_and_start_change_health_live(live, live_api, fake_telegram):
    """Plan 8.3: stopping a bot lowers running_bots."""
    agent = await create_agent(live_api)
    first = await connect_bot(live_api, agent["id"], fake_telegram, TOKEN, username="one_bot")
    await connect_bot(live_api, agent["id"], fake_telegram, "2003:AAsecondbottokenvalue000000000003", username="two_bot")
    health = (await live_api.get("/api/health")).json()["results"]
    assert health["telegram"] == {"total_bots": 2, "running_bots": 2} and health["status"] == "healthy"
    stopped = (await live_api.post(f"/api/integrations/{first['id']}/stop")).json()["results"]
    assert stopped["is_enabled"] is False and stopped["running"] is False and stopped["status"] == "stopped"
    assert (await live_api.get("/api/health")).json()["results"]["telegram"]["running_bots"] == 1
    await wait_until(lambda: not fake_telegram.is_polling(TOKEN), what="polling stopped")
    await live_api.post(f"/api/integrations/{first['id']}/start")
    await wait_until(lambda: fake_telegram.is_polling(TOKEN), what="polling again")
    health = (await live_api.get("/api/health")).json()["results"]
    assert health["telegram"]["running_bots"] == 2


async def test_outage_marks_error_degraded_and_recovers(live, live_api, fake_telegram):
    agent = await create_agent(live_api)
    created = await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.fail("getUpdates", token=TOKEN, status=502, times=3)

    async def status():
        return (await live_api.get(f"/api/integrations/{created['id']}")).json()["results"]["status"]

    await wait_until(lambda: _is(status, "error"), what="error status")
    assert (await live_api.get("/api/health")).json()["results"]["status"] == "degraded"
    await wait_until(lambda: _is(status, "connected"), what="recovered")
    fake_telegram.push_message(TOKEN, 31, "after the outage")
    assert (await fake_telegram.awaited_sent(1, token=TOKEN))[0].text == "Reply to: after the outage"


async def _is(status, wanted):
    return await status() == wanted


async def test_delete_stops_polling(live, live_api, fake_telegram):
    agent = await create_agent(live_api)
    created = await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    response = await live_api.delete(f"/api/integrations/{created['id']}")
    assert response.json()["results"]["deleted"] is True
    await wait_until(lambda: not fake_telegram.is_polling(TOKEN), what="polling stopped")
    assert (await live_api.get(f"/api/integrations/{created['id']}")).status_code == 404


async def test_bad_token_error_never_shows_the_token(live, live_api, fake_telegram, logs):
    agent = await create_agent(live_api)
    wrong = "3003:AAwrongtokenvaluewrongtokenvalue0003"
    body = {"type": "telegram", "token": wrong, "api_base_url": fake_telegram.base_url}
    response = await live_api.post(f"/api/agents/{agent['id']}/integrations", json=body)
    assert response.status_code == 400 and response.json()["code"] == "INVALID_CREDENTIALS"
    assert response.json()["message"] == "Telegram rejected the bot token (Unauthorized)"
    assert wrong not in response.text and "AAwrong" not in logs.text
    too_long = await live_api.post(f"/api/agents/{agent['id']}/integrations",
                                   json={**body, "token": wrong * 20})
    assert too_long.status_code == 422 and "AAwrong" not in too_long.text


async def test_last_error_and_logs_never_show_the_token(live, live_api, fake_telegram, logs):
    agent = await create_agent(live_api)
    created = await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.fail("getUpdates", token=TOKEN, status=400, times=50,
                       description=f"Bad Request: not allowed for bot{TOKEN}")

    async def failing():
        view = (await live_api.get(f"/api/integrations/{created['id']}")).json()["results"]
        return view if view["status"] == "error" else None

    await wait_until(failing, what="error status")
    view = await failing()
    assert view["last_error"] == "BadRequest: Not allowed for bot2002:***"
    assert logs.count("⚠️  Telegram polling failed") >= 1
    assert TOKEN not in logs.text and "AAintegration" not in logs.text


async def test_rate_limits_are_changed_and_checked(live, live_api, fake_telegram):
    agent = await create_agent(live_api)
    created = await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    url = f"/api/integrations/{created['id']}/rate_limits"
    response = await live_api.put(url, json={"rate_limit_per_second": 3, "per_chat_rate_limit_per_second": 0.5})
    assert response.status_code == 200, response.text
    view = response.json()["results"]
    assert (view["rate_limit_per_second"], view["per_chat_rate_limit_per_second"]) == (3, 0.5)
    bad = await live_api.put(url, json={"rate_limit_per_second": -1})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "rate_limit_per_second"
    assert (await live_api.put("/api/integrations/999/rate_limits", json={"rate_limit_per_second": 1})).status_code == 404
