"""The Agents page in Chromium against the real server with API_TOKEN set and the fake LLM: create,
working hours (several ranges, overnight, timezone, holiday) stored as the API shows them, inline
problems, the try box's reply and away message, edit, delete; and its events refused without a login."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest

from ai_agents.ui.auth import AuthState
from ai_agents.ui.pages.agent_settings import AgentSettingsState
from ai_agents.ui.pages.agent_try import TryAgentState
from ai_agents.ui.pages.agents import AgentsState
from tests.e2e.test_workspace_ui import SCREENSHOTS
from tests.fakes.openai_server import FakeOpenAI
from tests.support.reflex_socket import ReflexSocket
from tests.support.server import PlatformServer

pytestmark = pytest.mark.e2e
API_TOKEN = "agents-e2e-token-0123456789abcdef"
AGENT_KEY = "sk-agents-e2e-secret-key-42424242"
ZONE = "Asia/Tokyo"


class Platform:
    def __init__(self, server: PlatformServer) -> None:
        self.server = server
        self.api = httpx.Client(base_url=server.base_url, timeout=30, headers={"Authorization": f"Bearer {API_TOKEN}"})

    def agent_named(self, name: str) -> dict | None:
        return next((a for a in self.api.get("/api/agents").json()["results"] if a["name"] == name), None)

    def settings(self, agent_id: int) -> dict:
        return self.api.get(f"/api/agents/{agent_id}/settings").json()["results"]


@pytest.fixture(scope="module")
def platform(tmp_path_factory) -> Iterator[Platform]:
    root = tmp_path_factory.mktemp("agents-ui")
    with FakeOpenAI() as llm:
        env = {"API_TOKEN": API_TOKEN, "OPENAI_API_KEY": "sk-e2e-default-key", "OPENAI_BASE_URL": llm.base_url + "/v1"}
        server = PlatformServer(root / "data", root / "server.log", env).start()
        try:
            yield Platform(server)
        finally:
            server.stop()


async def agents_page(browser, platform):
    page = await browser.new_page(viewport={"width": 1440, "height": 900})
    await page.goto(platform.server.base_url + "/agents")
    await page.fill("#login-password", API_TOKEN)
    await page.click("#login-submit")
    await page.locator("#agent-new").wait_for()
    return page


async def try_message(page, text: str):
    await page.fill("#try-input", text)
    await page.press("#try-input", "Enter")


async def set_range(page, day: str, index: int, start: str, end: str):
    await page.locator(f"#day-{day} .range-start input").nth(index).fill(start)
    await page.locator(f"#day-{day} .range-end input").nth(index).fill(end)


async def test_create_set_working_hours_try_edit_and_delete(platform, browser):
    page = await agents_page(browser, platform)
    await page.click("#agent-new")
    await page.fill("#agent-field-name", "Concierge")
    await page.fill("#agent-field-api_key", AGENT_KEY)
    await page.click("#agent-save")
    await page.locator("#agents-notice", has_text="Agent Concierge created").wait_for()
    agent = platform.agent_named("Concierge")
    assert agent is not None and agent["has_api_key"] and agent["api_key"] != AGENT_KEY
    assert await page.locator("#agent-key-shown").inner_text() == agent["api_key"]  # masked by the service
    assert AGENT_KEY not in await page.content()

    await page.click("#tab-try")
    await try_message(page, "Hello there")
    await page.locator(".try-agent .try-text", has_text="Reply to: Hello there").wait_for(timeout=10_000)

    await page.click("#tab-working-hours")
    await page.click("#field-working-hours-enabled")
    await page.fill("#field-working-hours-timezone", ZONE)
    for day, ranges in {"monday": 2, "friday": 1}.items():
        for _ in range(ranges):
            await page.click(f"#day-{day} .range-add")
    await page.locator("#day-monday .range-start input").nth(1).wait_for()
    await set_range(page, "monday", 0, "09:00", "12:00")
    await set_range(page, "monday", 1, "25:00", "18:00")  # not a time
    await set_range(page, "friday", 0, "22:00", "02:00")  # overnight
    today = datetime.now(ZoneInfo(ZONE)).date().isoformat()
    await page.click("#holiday-add")
    await page.locator("#holidays .holiday-date input").fill(today)
    await page.fill("#field-working-hours-away-message", "Closed now; back {next_open}.")
    await page.click("#save-working-hours")
    problem = page.locator("#day-monday .row-error")
    await problem.wait_for()
    assert await problem.inner_text() == "start: expected HH:MM 24-hour time, got '25:00'"
    await page.locator("#problem-working-hours").wait_for()
    assert platform.settings(agent["id"])["working_hours"]["enabled"] is False  # nothing stored

    await set_range(page, "monday", 1, "13:00", "18:00")
    await page.click("#save-working-hours")
    await page.locator("#notice-working-hours").wait_for()
    assert await problem.count() == 0
    hours = platform.settings(agent["id"])["working_hours"]
    assert (hours["enabled"], hours["timezone"], hours["holidays"]) == (True, ZONE, [today])
    assert hours["schedule"] == {"monday": [{"start": "09:00", "end": "12:00"}, {"start": "13:00", "end": "18:00"}],
                                 "friday": [{"start": "22:00", "end": "02:00"}]}
    assert hours["away_message"] == "Closed now; back {next_open}."
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / "agent-settings.png"))

    await page.click("#tab-try")
    await page.click("#try-new")
    await try_message(page, "Are you open?")
    away = page.locator(".try-agent", has_text="Away message")
    await away.wait_for(timeout=10_000)
    text = await away.locator(".try-text").inner_text()
    assert text.startswith("Closed now; back ") and "{next_open}" not in text and text.endswith(" JST.")

    await page.click("#tab-agent")
    await page.fill("#agent-field-name", "Concierge Two")
    await page.fill("#agent-field-temperature", "3")
    await page.click("#agent-save")
    await page.locator("#error-temperature", has_text="less than or equal to 2").wait_for()
    await page.fill("#agent-field-temperature", "0.3")
    await page.click("#agent-save")
    await page.locator("#agents-notice", has_text="Agent Concierge Two saved").wait_for()
    edited = platform.api.get(f"/api/agents/{agent['id']}").json()["results"]
    assert (edited["name"], edited["temperature"], edited["api_key"]) == ("Concierge Two", 0.3, agent["api_key"])

    await page.click("#agent-delete")
    await page.click("#agent-delete-confirm")
    await page.locator("#agents-notice", has_text="Agent Concierge Two deleted").wait_for()
    assert platform.api.get(f"/api/agents/{agent['id']}").status_code == 404
    assert await page.locator(".agent-item").count() == 0


async def test_follow_up_messages_are_ordered_and_saved(platform, browser):
    agent = platform.api.post("/api/agents", json={"name": "Follower"}).json()["results"]
    page = await agents_page(browser, platform)
    await page.click(f"#agent-{agent['id']}")
    await page.click("#tab-follow-up")
    await page.click("#follow-up-add")
    texts = page.locator("#follow-up-messages :is(.follow-up-text textarea, textarea.follow-up-text)")
    await texts.nth(1).fill("Anything else I can do?")
    await page.locator("#follow-up-messages .follow-up-up").nth(1).click()
    await page.click("#field-follow-up-enabled")
    await page.fill("#field-follow-up-delay-minutes", "5")
    await page.click("#save-follow-up")
    await page.locator("#notice-follow-up").wait_for()
    follow_up = platform.settings(agent["id"])["follow_up"]
    assert follow_up["messages"] == ["Anything else I can do?", "Hi! Just checking in. Do you have any questions?"]
    assert (follow_up["enabled"], follow_up["delay_minutes"]) == (True, 5)

    await page.click("#tab-broadcasts")
    await page.fill("#field-broadcasts-opt-out-reply", "")
    await page.click("#save-broadcasts")
    await page.locator("#error-broadcasts-opt-out-reply", has_text="at least 1 character").wait_for()


def test_agents_page_events_are_refused_until_logged_in(platform):
    """Open, settings, try-box and create events sent straight over the websocket: nothing happens
    without a login; the same events act once the tab has logged in, and the API key typed never
    comes back to the tab."""
    agents, settings, trial, auth = (s.get_full_name() for s in (AgentsState, AgentSettingsState, TryAgentState,
                                                                  AuthState))
    target = platform.api.post("/api/agents", json={"name": "Socket Target"}).json()["results"]
    secret = "sk-socket-secret-0000000000000000"

    def conversations() -> list[dict]:
        return platform.api.get("/api/conversations", params={"agent_id": target["id"]}).json()["results"]

    def act(tab: ReflexSocket) -> None:
        tab.emit(f"{agents}.select", agent_id=target["id"])
        tab.emit(f"{settings}.set_flag", key="working_hours.enabled", value=True)
        tab.emit(f"{settings}.save", section="working_hours")
        tab.emit(f"{trial}.send", form_data={"message": "Hello from the socket"})
        tab.emit(f"{agents}.start_create")
        tab.emit(f"{agents}.set_draft", name="name", value="Socket Agent")
        tab.emit(f"{agents}.save_agent", form_data={"api_key": secret})
        tab.settle(2.0)

    tab = ReflexSocket(platform.server.base_url, "/agents")
    try:
        act(tab)
        assert platform.agent_named("Socket Agent") is None
        assert platform.settings(target["id"])["working_hours"]["enabled"] is False
        assert conversations() == []
        tab.emit(f"{auth}.login", form_data={"password": API_TOKEN})
        act(tab)
    finally:
        tab.close()
    created = platform.agent_named("Socket Agent")
    assert created is not None and created["has_api_key"]
    assert platform.settings(target["id"])["working_hours"]["enabled"] is True
    assert [c["channel"] for c in conversations()] == ["playground"]
    assert secret not in json.dumps(tab.updates)
    assert platform.api.get("/api/health").json()["results"]["telegram"] == {"total_bots": 0, "running_bots": 0}
    assert "🚫 UI event" in platform.server.log()


async def test_a_try_conversation_is_scored_and_shows_in_live_chat_with_its_mark(platform, browser):
    settings = {"sentiment": {"enabled": True, "alert_on_negative": True, "negative_threshold": 0.5}}
    agent = platform.api.post("/api/agents", json={"name": "Marked", "settings": settings}).json()["results"]
    page = await agents_page(browser, platform)
    await page.click(f"#agent-{agent['id']}")
    await page.click("#tab-try")
    await try_message(page, "This is terrible! I'm very disappointed!")
    await page.locator(".try-agent .try-text", has_text="Reply to: This is terrible!").wait_for(timeout=10_000)
    mark = page.locator(".try-customer .try-sentiment")
    assert (await mark.inner_text()).startswith("very negative -0.")  # the sentiment stage ran
    conversation = platform.api.get("/api/conversations", params={"agent_id": agent["id"]}).json()["results"][0]
    await page.goto(platform.server.base_url + f"/live-chat?c={conversation['id']}")
    item = page.locator(f"#conversation-{conversation['id']}")
    await item.wait_for()
    assert await item.locator("svg.lucide-flask-conical").count() == 1
