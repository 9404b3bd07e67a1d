"""A server killed mid-broadcast and started again: nothing lost silently, nothing sent twice."""

from __future__ import annotations

import time
from collections import Counter

import httpx
import pytest

from tests.support.server import PlatformServer

pytestmark = pytest.mark.e2e
TOKEN = "1414:AAcrashtesttokenvalue00000000000014"


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise TimeoutError(f"timed out waiting for {what}")


def test_kill_mid_broadcast_then_restart(tmp_path, fake_telegram):
    fake_telegram.add_bot(TOKEN, username="crash_bot")
    fake_telegram.set_latency("sendMessage", 0.02)
    env = {"OUTBOX_LEASE_SECONDS": "2", "BROADCAST_TICK_SECONDS": "0.2"}
    first = PlatformServer(tmp_path / "data", tmp_path / "first.log", env).start()
    recipients = [str(5_000 + i) for i in range(120)]
    try:
        with httpx.Client(base_url=first.base_url, timeout=10) as api:
            agent = api.post("/api/agents", json={"name": "Crash", "model": "gpt-4o-mini"}).json()["results"]
            body = {"type": "telegram", "token": TOKEN, "api_base_url": fake_telegram.base_url, "rate_limit_per_second": 30}
            assert api.post(f"/api/agents/{agent['id']}/integrations", json=body).status_code == 201
            campaign = {"message": "Flash sale", "integration_type": "telegram", "recipients": recipients}
            broadcast = api.post(f"/api/agents/{agent['id']}/settings/broadcast", json=campaign).json()["results"]
        wait_for(lambda: len(fake_telegram.sent(token=TOKEN)) >= 40, 30, "40 sends")
    finally:
        first.kill()
    sent_before = len(fake_telegram.sent(token=TOKEN))
    assert sent_before < len(recipients)  # really killed mid-campaign

    second = PlatformServer(tmp_path / "data", tmp_path / "second.log", env).start()
    try:
        url = f"/api/agents/{agent['id']}/settings/broadcast/{broadcast['id']}"
        with httpx.Client(base_url=second.base_url, timeout=10) as api:
            final = wait_for(lambda: (r := api.get(url).json()["results"])["status"].startswith("completed") and r, 60, "completion")
            rows = api.get(url + "/recipients", params={"limit": 500}).json()["results"]
    finally:
        second.stop()
    delivered = Counter(str(s.chat_id) for s in fake_telegram.sent(token=TOKEN))
    assert max(delivered.values()) == 1  # never twice
    sent = {r["recipient"] for r in rows if r["status"] == "sent"}
    interrupted = {r["recipient"] for r in rows if r["status"] == "failed"}
    assert all("interrupted while sending" in r["error"] for r in rows if r["status"] == "failed")
    assert sent | interrupted == set(recipients) and final["pending"] == 0  # nothing silently lost
    assert sent <= set(delivered) <= sent | interrupted  # recorded sends really happened
    assert len(interrupted) <= 5  # only what was in flight at the kill
