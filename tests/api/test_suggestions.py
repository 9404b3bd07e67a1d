"""Live chat API for AI suggestions: replies kept for the manager when a takeover came mid-reply."""

from __future__ import annotations

import asyncio

import pytest

from tests.services.inbound.test_pipeline_takeover import Gate, messages_of
from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "9009:AAsuggestiontesttokenvalue0000000009"


@pytest.fixture
async def suggestion(live, live_api, fake_telegram) -> dict:
    """A conversation taken over while its reply was written; returns that AI suggestion."""
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    gate = Gate()
    live.pipeline.stages.insert(0, gate)
    fake_telegram.push_message(TOKEN, 31, "Do you have it in blue?")
    await asyncio.wait_for(gate.reached.wait(), 10)
    conversation_id = (await live_api.get("/api/conversations")).json()["results"][0]["id"]
    await live_api.post(f"/api/conversations/{conversation_id}/takeover")
    gate.opened.set()

    async def stored() -> bool:
        return (await messages_of(live_api, conversation_id))[-1]["status"] == "suggested"

    await wait_until(stored, what="the suggestion stored")
    return (await messages_of(live_api, conversation_id))[-1]


def url(item: dict, action: str, message_id: int | None = None) -> str:
    return f"/api/conversations/{item['conversation_id']}/suggestions/{message_id or item['id']}/{action}"


async def test_unknown_ids_are_404(live_api, suggestion):
    missing_conversation = await live_api.post(f"/api/conversations/999999/suggestions/{suggestion['id']}/send")
    assert missing_conversation.status_code == 404
    assert missing_conversation.json()["code"] == "CONVERSATION_NOT_FOUND"
    for action in ("send", "discard"):
        response = await live_api.post(url(suggestion, action, 999999))
        assert response.status_code == 404 and response.json()["code"] == "MESSAGE_NOT_FOUND"
        assert "message 999999" in response.json()["message"]


async def test_a_suggestion_of_another_conversation_is_404(live_api, fake_telegram, suggestion):
    fake_telegram.push_message(TOKEN, 32, "another customer")

    async def two() -> bool:
        return len((await live_api.get("/api/conversations")).json()["results"]) == 2

    await wait_until(two, what="a second conversation")
    conversations = (await live_api.get("/api/conversations")).json()["results"]
    other = next(c for c in conversations if c["id"] != suggestion["conversation_id"])
    response = await live_api.post(f"/api/conversations/{other['id']}/suggestions/{suggestion['id']}/send")
    assert response.status_code == 404


async def test_only_a_pending_suggestion_can_be_sent_or_discarded(live_api, fake_telegram, suggestion):
    customer_message = (await messages_of(live_api, suggestion["conversation_id"]))[0]
    response = await live_api.post(url(customer_message, "send"))
    assert response.status_code == 409 and response.json()["code"] == "NOT_A_PENDING_SUGGESTION"
    assert "status is 'handled'" in response.json()["message"]

    discarded = await live_api.post(url(suggestion, "discard"))
    assert discarded.status_code == 200 and discarded.json()["results"]["status"] == "discarded"
    for action in ("send", "discard"):
        response = await live_api.post(url(suggestion, action))
        assert response.status_code == 409 and "status is 'discarded'" in response.json()["message"]
    listed = await messages_of(live_api, suggestion["conversation_id"])
    assert [m["status"] for m in listed] == ["handled", "discarded"]
    await asyncio.sleep(0.2)
    assert fake_telegram.sent(token=TOKEN) == []


async def test_two_concurrent_sends_deliver_once(live_api, fake_telegram, suggestion):
    first, second = await asyncio.gather(live_api.post(url(suggestion, "send")), live_api.post(url(suggestion, "send")))
    assert sorted([first.status_code, second.status_code]) == [201, 409]
    await fake_telegram.awaited_sent(1, token=TOKEN)
    await asyncio.sleep(0.3)
    assert [s.text for s in fake_telegram.sent(token=TOKEN)] == ["Reply to: Do you have it in blue?"]


async def test_send_body_is_validated(live_api, suggestion):
    response = await live_api.post(url(suggestion, "send"), json={"author": "", "colour": "blue"})
    assert response.status_code == 422
    assert {problem["field"] for problem in response.json()["errors"]} == {"author", "colour"}
