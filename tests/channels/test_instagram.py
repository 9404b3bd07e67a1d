"""Instagram adapter against the fake Graph API: page check, DMs, the window error, webhook parsing."""

from __future__ import annotations

import pytest

from ai_agents.channels.base import AdapterSpec, CredentialsError, SendError
from ai_agents.channels.instagram import InstagramAdapter
from ai_agents.config import load_settings
from tests.fakes.graph_server import FakeGraph
from tests.fakes.meta_webhooks import ig_message, ig_payload

PAGE_ID = "200300400500"
IG_ID = "17841400000000009"
TOKEN = "EAAGinstagrampagetoken0000000000001"


@pytest.fixture
def graph():
    with FakeGraph() as fake:
        fake.add_page(PAGE_ID, TOKEN, name="Shop Page", instagram_account_id=IG_ID)
        yield fake


def spec(graph: FakeGraph, token: str = TOKEN) -> AdapterSpec:
    return AdapterSpec(3, "instagram", {"access_token": token}, {"page_id": PAGE_ID, "api_base_url": graph.base_url})


async def nothing(*_args) -> None:
    return None


async def test_probe_finds_the_instagram_account_the_webhooks_name(graph):
    identity = await InstagramAdapter.probe(spec(graph))
    assert (identity.external_id, identity.display_name) == (PAGE_ID, "Shop Page")
    assert identity.config == {"webhook_ids": [IG_ID]}
    with pytest.raises(CredentialsError) as refused:
        await InstagramAdapter.probe(spec(graph, "EAAGnotthepagetoken00000000000000000"))
    assert "access_token" in str(refused.value)


async def test_sends_a_dm_and_fails_outside_the_window_with_the_reason(graph):
    ig = InstagramAdapter(spec(graph), nothing, nothing, on_dead_letter=nothing)
    result = await ig.send_text("6655443322", "Thanks for writing!")
    graph.fail(code=10, subcode=2018278)
    with pytest.raises(SendError) as window:
        await ig.send_text("6655443322", "A week later")
    await ig.stop()
    sent = graph.sent()
    assert [(m.to, m.text) for m in sent] == [("6655443322", "Thanks for writing!")]
    assert result.external_id == sent[0].message_id and sent[0].body["messaging_type"] == "RESPONSE"
    assert not window.value.transient and "24 hours" in window.value.reason


def test_parses_dms_and_skips_echoes_of_our_own_sends():
    payload = ig_payload(
        IG_ID,
        ig_message("6655443322", IG_ID, "Is it in stock?", "mid.1"),
        ig_message("6655443322", IG_ID, "Yes it is", "mid.2", is_echo=True),
        {"sender": {"id": "7788"}, "recipient": {"id": IG_ID}, "timestamp": 1700000000000,
         "message": {"mid": "mid.3", "attachments": [{"type": "image", "payload": {"url": "https://x"}}]}},
        {"sender": {"id": "7788"}, "recipient": {"id": IG_ID}, "timestamp": 1700000000000, "read": {"mid": "mid.1"}},
    )
    [batch] = InstagramAdapter.parse_webhook(payload)
    assert batch.account_id == IG_ID
    assert [(m.remote_id, m.text, m.external_id) for m in batch.messages] == [
        ("6655443322", "Is it in stock?", "mid.1"), ("7788", "[image]", "mid.3")]
    assert batch.messages[1].timestamp.year == 2023  # milliseconds


def test_webhook_secrets_default_to_the_instagram_settings():
    settings = load_settings(instagram_app_secret="env-app-secret", instagram_verify_token="env-verify")
    defaults = InstagramAdapter.webhook_secrets({"access_token": "x"}, settings)
    own = InstagramAdapter.webhook_secrets({"app_secret": "own", "verify_token": "mine"}, settings)
    assert (defaults.app_secret, defaults.app_secret_setting) == ("env-app-secret", "INSTAGRAM_APP_SECRET")
    assert (defaults.verify_token, defaults.verify_token_setting) == ("env-verify", "INSTAGRAM_VERIFY_TOKEN")
    assert (own.app_secret, own.verify_token) == ("own", "mine") and "integration" in own.app_secret_setting
