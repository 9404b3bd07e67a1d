"""A changed or lost SECRET_KEY: the server starts, unreadable credentials are marked, listed and
entered again; nothing turns into a 500."""

from __future__ import annotations

import httpx

from ai_agents.api import build_api
from ai_agents.config import load_settings
from ai_agents.core.clock import SystemClock
from ai_agents.runtime.lifespan import Platform, platform
from tests.conftest import FAST_ADAPTERS
from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "6006:AAsecretkeychangetokenvalue00000006"
AGENT_KEY = "sk-agent-own-key-abcdefgh-wxyz"


def _running(database_url, tmp_path, fake_openai, secret_key: str | None):
    settings = load_settings(
        database_url=database_url,
        data_dir=tmp_path / "data",
        secret_key=secret_key or "",
        openai_base_url=fake_openai.base_url + "/v1",
        retry_base_seconds=0.01,
    )
    return platform(settings, clock=SystemClock(), adapter_options=FAST_ADAPTERS,
                    dispatcher_options={"idle_seconds": 0.05})


def _client(running: Platform) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=build_api(running.slot)), base_url="http://t")


async def test_changed_secret_key_starts_marks_lists_and_takes_credentials_again(
    database_url, tmp_path, fake_telegram, fake_openai, logs
):
    async with _running(database_url, tmp_path, fake_openai, "first-secret-key-0123456789") as running:
        async with _client(running) as api:
            agent = await create_agent(api, api_key=AGENT_KEY)
            readable = await create_agent(api, "No key")
            integration = await connect_bot(api, agent["id"], fake_telegram, TOKEN)

    async with _running(database_url, tmp_path, fake_openai, "second-secret-key-0123456789") as running:
        async with _client(running) as api:
            assert logs.count("agent API key(s) and 1 integration token(s) were encrypted with another") == 1
            agents = await api.get("/api/agents")
            assert agents.status_code == 200
            shown = {a["id"]: a for a in agents.json()["results"]}
            assert shown[agent["id"]]["credentials_status"] == "unreadable"
            assert shown[agent["id"]]["api_key"] is None
            assert "credentials unreadable: enter them again" in shown[agent["id"]]["credentials_error"]
            assert shown[readable["id"]]["credentials_status"] == "missing"

            listed = await api.get("/api/integrations")
            assert listed.status_code == 200
            view = listed.json()["results"][0]
            assert view["status"] == "error" and view["running"] is False
            assert view["credentials_status"] == "unreadable" and view["token"] is None
            assert view["last_error"].startswith("credentials unreadable: enter them again")
            assert not fake_telegram.is_polling(TOKEN)

            unreadable = (await api.get("/api/agents", params={"credentials_status": "unreadable"})).json()
            assert [a["id"] for a in unreadable["results"]] == [agent["id"]] and unreadable["meta"]["total"] == 1
            bots = (await api.get("/api/integrations", params={"credentials_status": "unreadable"})).json()
            assert [i["id"] for i in bots["results"]] == [integration["id"]]

            patched = await api.patch(f"/api/agents/{agent['id']}", json={"api_key": "sk-entered-again-1234"})
            assert patched.json()["results"]["credentials_status"] == "ok"
            assert patched.json()["results"]["api_key"] == "sk-...1234"
            body = {"token": TOKEN, "api_base_url": fake_telegram.base_url}
            again = await api.put(f"/api/integrations/{integration['id']}", json=body)
            assert again.status_code == 200, again.text
            assert again.json()["results"]["credentials_status"] == "ok"
            await wait_until(lambda: fake_telegram.is_polling(TOKEN), what="the bot polls again")
            view = (await api.get(f"/api/integrations/{integration['id']}")).json()["results"]
            assert view["status"] == "connected" and view["last_error"] is None
            for path in ("/api/agents", "/api/integrations"):
                left = (await api.get(path, params={"credentials_status": "unreadable"})).json()["results"]
                assert left == []
    assert TOKEN not in logs.text and AGENT_KEY not in logs.text


async def test_lost_key_file_starts_with_a_new_key(database_url, tmp_path, fake_telegram, fake_openai):
    async with _running(database_url, tmp_path, fake_openai, None) as running:
        async with _client(running) as api:
            agent = await create_agent(api, api_key=AGENT_KEY)
            await connect_bot(api, agent["id"], fake_telegram, TOKEN)
    (tmp_path / "data" / "secret_key").unlink()
    async with _running(database_url, tmp_path, fake_openai, None) as running:
        async with _client(running) as api:
            got = (await api.get(f"/api/agents/{agent['id']}")).json()["results"]
            assert got["credentials_status"] == "unreadable"
            assert (await api.get("/api/integrations")).json()["results"][0]["status"] == "error"


async def test_token_for_another_bot_is_refused(live, live_api, fake_telegram):
    agent = await create_agent(live_api)
    integration = await connect_bot(live_api, agent["id"], fake_telegram, TOKEN, username="shop_bot")
    other = "6007:AAanotherbottokenvalue0000000000007"
    fake_telegram.add_bot(other, username="other_bot")
    response = await live_api.put(f"/api/integrations/{integration['id']}", json={"token": other})
    assert response.status_code == 409 and response.json()["code"] == "DIFFERENT_BOT"
    assert "@other_bot" in response.json()["message"] and other not in response.text
    assert (await live_api.get(f"/api/integrations/{integration['id']}")).json()["results"]["token"] == "60...0006"
