"""Small helpers the tests share: create agents and bots through the API, wait for conditions."""

from __future__ import annotations

import asyncio
import time

import httpx

from tests.fakes.telegram_server import FakeTelegram


async def create_agent(api: httpx.AsyncClient, name: str = "Support Agent 1", **fields) -> dict:
    body = {"name": name, "model": "gpt-4o-mini", "system_prompt": f"You are {name}.", **fields}
    response = await api.post("/api/agents", json=body)
    assert response.status_code == 201, response.text
    return response.json()["results"]


async def connect_bot(
    api: httpx.AsyncClient, agent_id: int, fake: FakeTelegram, token: str, username: str = "shop_bot"
) -> dict:
    fake.add_bot(token, username=username)
    body = {"type": "telegram", "token": token, "api_base_url": fake.base_url}
    response = await api.post(f"/api/agents/{agent_id}/integrations", json=body)
    assert response.status_code == 201, response.text
    integration = response.json()["results"]
    await wait_until(lambda: fake.is_polling(token), what=f"bot {username} polling")
    return integration


async def wait_until(condition, *, timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        await asyncio.sleep(0.02)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
