"""The running platform: the plan's curls over real HTTP on one port, and the UI in Chromium."""

from __future__ import annotations

import httpx
import pytest

from ai_agents.ui.layout import NAV
from tests.api.test_agents import PLAN_AGENT
from tests.api.test_settings import (
    PLAN_FOLLOW_UP,
    PLAN_SENTIMENT,
    PLAN_TRANSLATION,
    PLAN_WORKING_HOURS,
)

pytestmark = pytest.mark.e2e


def test_plan_curls_work_as_written(server):
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        created = client.post("/api/agents", json=PLAN_AGENT)
        assert created.status_code == 201, created.text
        agent_id = created.json()["results"]["id"]
        for body in (PLAN_WORKING_HOURS, PLAN_TRANSLATION, PLAN_SENTIMENT, PLAN_FOLLOW_UP):
            response = client.put(f"/api/agents/{agent_id}/settings", json=body)
            assert response.status_code == 200, response.text
        health = client.get("/api/health").json()
    assert health["status"] == 200
    assert health["results"]["status"] == "healthy"
    assert health["results"]["total_agents"] >= 1
    log = server.log()
    assert log.count("✅ Agent created: Support Agent 1") == 1
    assert PLAN_AGENT["api_key"] not in log


async def test_every_page_renders_without_errors(server, browser):
    page = await browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(server.base_url + "/")
    await page.wait_for_selector("#stat-messages-today")
    for label, href, _icon in NAV:
        await page.click(f"#nav-{href.strip('/') or 'dashboard'}")
        await page.wait_for_url(server.base_url + href)
        await page.get_by_role("heading", name=label, exact=True).wait_for()
    assert errors == []


async def test_health_badge_reads_the_health_service(server, browser):
    page = await browser.new_page()
    await page.goto(server.base_url + "/")
    badge = page.locator("#health-status")
    await badge.filter(has_text="healthy").wait_for(timeout=15_000)
    assert await page.locator("#health-telegram").inner_text() == "Telegram 0/0"
