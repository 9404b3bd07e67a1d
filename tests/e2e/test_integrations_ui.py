"""The Integrations page in Chromium against the real server: connect a Telegram bot (the fake Bot
API), the field's message for a bad token, stop it and see the status and the health badge change,
its details, rate limits, delete; a WhatsApp linked device whose QR code rotates on the page, then
shows the number it linked.

The server runs a fake WhatsApp in its own process through the test seam WHATSAPP_DEVICE_CLIENT
(allowed by TEST_SEAMS=1, see tests/support/device_world.py); this test steers it over HTTP."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.test_workspace_ui import API_TOKEN, SCREENSHOTS, logged_in_page
from tests.fakes.openai_server import FakeOpenAI
from tests.fakes.telegram_server import FakeTelegram
from tests.support.device_world import DeviceWorldClient
from tests.support.server import PlatformServer

pytestmark = pytest.mark.e2e
BOT = "7007:AAintegrationsuitesttokenvalue000007"
OTHER_BOT = "7008:AAintegrationsuitesttokenvalue000008"


class Platform:
    """The running server with one agent, its fake Telegram and its fake WhatsApp."""

    def __init__(self, server: PlatformServer, telegram: FakeTelegram, whatsapp: DeviceWorldClient) -> None:
        self.server, self.telegram, self.whatsapp = server, telegram, whatsapp
        self.api = httpx.Client(base_url=server.base_url, timeout=30, headers={"Authorization": f"Bearer {API_TOKEN}"})
        assert self.api.post("/api/agents", json={"name": "Shop", "model": "gpt-4o-mini"}).status_code == 201

    def integrations(self) -> list[dict]:
        return self.api.get("/api/integrations").json()["results"]


@pytest.fixture(scope="module")
def platform(tmp_path_factory) -> Iterator[Platform]:
    root = tmp_path_factory.mktemp("integrations")
    control = root / "fake-whatsapp-control.txt"
    with FakeTelegram() as telegram, FakeOpenAI() as llm:
        env = {
            "API_TOKEN": API_TOKEN, "OPENAI_API_KEY": "sk-e2e-default-key", "OPENAI_BASE_URL": llm.base_url + "/v1",
            "TEST_SEAMS": "1", "WHATSAPP_DEVICE_CLIENT": "tests.support.device_world:client_factory",
            "FAKE_WHATSAPP_CONTROL_FILE": str(control),
        }
        server = PlatformServer(root / "data", root / "server.log", env).start()
        try:
            yield Platform(server, telegram, DeviceWorldClient(control))
        finally:
            server.stop()


async def connect_telegram(page, platform: Platform, token: str) -> None:
    await page.fill("#connect-token", token)
    await page.fill("#connect-api_base_url", platform.telegram.base_url)
    await page.click("#connect-submit")


async def test_telegram_bot_connect_bad_token_stop_badge_rates_delete(platform, browser):
    page = await logged_in_page(browser, platform, "/integrations")
    await page.locator("#integrations-empty").wait_for()

    await page.click("#connect-submit")  # no token: the API's 422 message, under the field
    await page.locator("#connect-error-token", has_text="is required for telegram (the token from @BotFather)").wait_for()
    await connect_telegram(page, platform, "7009:AAnotabotthefaketelegramknows000009")
    await page.locator("#connect-error-token", has_text="Telegram rejected the bot token").wait_for()
    assert platform.integrations() == []

    platform.telegram.add_bot(BOT, username="ui_bot")
    platform.telegram.add_bot(OTHER_BOT, username="spare_bot")
    await connect_telegram(page, platform, BOT)
    row = page.locator(".integration-row", has_text="@ui_bot")
    await row.locator(".integration-status", has_text="connected").wait_for()
    assert await page.input_value("#connect-token") == ""  # the form is cleared: the token is not kept
    await connect_telegram(page, platform, OTHER_BOT)
    await page.locator(".integration-row", has_text="@spare_bot").wait_for()
    assert await row.locator(".integration-detail").inner_text() == "70...0007"
    assert BOT not in await page.content() and OTHER_BOT not in await page.content()
    await page.locator("#health-telegram", has_text="Telegram 2/2").wait_for()

    started = time.monotonic()
    await row.locator(".integration-stop").click()
    await row.locator(".integration-status", has_text="stopped").wait_for()
    await page.locator("#health-telegram", has_text="Telegram 1/2").wait_for(timeout=5_000)
    print(f"\nstatus and badge changed {(time.monotonic() - started) * 1000:.0f} ms after Stop was clicked")
    await page.click("#health-badge")
    detail = page.locator("#health-details .health-detail", has_text="@ui_bot")
    await detail.locator(".health-detail-status", has_text="stopped").wait_for()
    await page.keyboard.press("Escape")

    other = page.locator(".integration-row", has_text="@spare_bot")
    platform.api.post(f"/api/integrations/{_id_of(platform, '@spare_bot')}/stop")  # elsewhere: pushed here
    await other.locator(".integration-status", has_text="stopped").wait_for(timeout=5_000)
    await row.locator(".integration-start").click()
    await row.locator(".integration-status", has_text="connected").wait_for()

    await row.locator(".integration-rates").click()
    await page.fill(".rate-all input", "fast")
    await page.click(".rate-save")
    await page.locator(".rate-error-rate_limit_per_second", has_text="valid number").wait_for()
    await page.fill(".rate-all input", "5")
    await page.fill(".rate-per-chat input", "0.5")
    await page.click(".rate-save")
    await row.locator(".integration-rates", has_text="5/s · 0.5/s per chat").wait_for()
    await page.keyboard.press("Escape")
    assert platform.api.get(f"/api/integrations/{_id_of(platform, '@ui_bot')}").json()["results"][
        "rate_limit_per_second"] == 5

    await other.locator(".integration-delete").click()
    await page.click("#integration-delete-confirm")
    await other.wait_for(state="detached")
    assert [i["display_name"] for i in platform.integrations()] == ["@ui_bot"]


def _id_of(platform: Platform, display_name: str) -> int:
    return next(i["id"] for i in platform.integrations() if i["display_name"] == display_name)


async def test_whatsapp_device_qr_rotates_on_the_page_then_shows_the_number(platform, browser):
    page = await logged_in_page(browser, platform, "/integrations")
    await page.locator("#connect-type").wait_for()
    await page.click("#connect-type")
    await page.get_by_role("option", name="WhatsApp Cloud API").click()
    await page.click("#connect-submit")  # the API's 422 messages, each under its field
    for field in ("phone_number_id", "access_token", "app_secret", "verify_token"):
        await page.locator(f"#connect-error-{field}", has_text="is required for whatsapp_cloud").wait_for()
    await page.fill("#connect-phone_number_id", "12ab")
    await page.click("#connect-submit")
    await page.locator("#connect-error-phone_number_id", has_text="should match pattern").wait_for()
    await page.click("#connect-type")
    await page.get_by_role("option", name="WhatsApp linked device (QR)").click()
    await page.fill("#connect-name", "Shop WhatsApp")
    await page.click("#connect-submit")
    qr = page.locator("#pairing-qr")
    await qr.wait_for()
    first = await qr.get_attribute("src")
    assert first.startswith("data:image/svg+xml")
    device = next(i for i in platform.integrations() if i["provider"] == "whatsapp_device")

    started = time.monotonic()
    platform.whatsapp.show_qr(device["id"], "2@rotated-by-the-e2e-test,key,identity,adv")
    await page.wait_for_function("src => document.querySelector('#pairing-qr').src !== src", arg=first,
                                 timeout=5_000)
    print(f"\nrotated QR code shown {(time.monotonic() - started) * 1000:.0f} ms after WhatsApp sent it")
    await page.screenshot(path=str(SCREENSHOTS / "whatsapp-qr.png"))

    await page.fill("#pairing-phone", "call me")
    await page.click("#pairing-phone-submit")
    await page.locator("#pairing-error-phone", has_text="must be a phone number in E.164 form").wait_for()
    await page.fill("#pairing-phone", "+1 (555) 765-4321")
    await page.click("#pairing-phone-submit")
    await page.locator("#pairing-code", has_text="ABCD-1234").wait_for()

    platform.whatsapp.scan(device["id"], "+15557654321")
    await page.locator("#pairing-number", has_text="+15557654321").wait_for(timeout=5_000)
    row = page.locator(f"#integration-{device['id']}")
    await row.locator(".integration-status", has_text="connected").wait_for()
    await row.locator(".integration-detail", has_text="+15557654321").wait_for()
    await page.locator("#health-whatsapp", has_text="WhatsApp 1/1").wait_for()
    await page.screenshot(path=str(SCREENSHOTS / "integrations.png"), full_page=True)
