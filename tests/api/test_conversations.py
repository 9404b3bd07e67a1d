"""Live chat API (plan Test 10): list, messages, takeover, release, notes, export, manager replies."""

from __future__ import annotations

import csv
import io

import pytest

from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "4004:AAlivechattesttokenvalue000000000004"


@pytest.fixture
async def chat(live, live_api, fake_telegram):
    """A conversation with one answered customer message; returns its id."""
    agent = await create_agent(live_api)
    await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    fake_telegram.push_message(TOKEN, 42, "Hi, where is my order?", first_name="Maria")
    await fake_telegram.awaited_sent(1, token=TOKEN)
    conversations = (await live_api.get("/api/conversations")).json()["results"]
    return conversations[0]["id"]


async def test_conversation_and_messages(live_api, chat):
    conversation = (await live_api.get(f"/api/conversations/{chat}")).json()["results"]
    assert conversation["remote_jid"] == "42" and conversation["contact_name"] == "Maria"
    assert conversation["channel"] == "telegram" and conversation["manual_mode"] is False
    await wait_until(lambda: _message_count(live_api, chat, 2), what="reply stored")
    messages = (await live_api.get(f"/api/conversations/{chat}/messages")).json()["results"]
    assert [(m["role"], m["text"], m["status"]) for m in messages] == [
        ("user", "Hi, where is my order?", "handled"),
        ("assistant", "Reply to: Hi, where is my order?", "sent"),
    ]


async def _message_count(api, chat, n):
    messages = (await api.get(f"/api/conversations/{chat}/messages")).json()["results"]
    return len(messages) == n and messages[-1]["status"] == "sent"


async def test_takeover_silences_ai_and_release_restores(live_api, chat, fake_telegram, fake_openai, logs):
    response = await live_api.post(f"/api/conversations/{chat}/takeover", headers={"Content-Type": "application/json"})
    assert response.status_code == 200 and response.json()["results"]["manual_mode"] is True
    assert logs.count(f"✅ Conversation {chat} taken over by manager") == 1
    fake_telegram.push_message(TOKEN, 42, "Hello? Anyone?")
    await wait_until(lambda: _user_statuses(live_api, chat, ["handled", "handled"]), what="message handled")
    assert len(fake_telegram.sent(token=TOKEN)) == 1 and len(fake_openai.requests()) == 1
    listed = (await live_api.get("/api/conversations", params={"manual_mode": "true"})).json()
    assert [c["id"] for c in listed["results"]] == [chat]
    released = (await live_api.post(f"/api/conversations/{chat}/release")).json()["results"]
    assert released["manual_mode"] is False
    fake_telegram.push_message(TOKEN, 42, "Back to the bot")
    sent = await fake_telegram.awaited_sent(2, token=TOKEN)
    assert sent[-1].text == "Reply to: Back to the bot"


async def _user_statuses(api, chat, statuses):
    messages = (await api.get(f"/api/conversations/{chat}/messages")).json()["results"]
    return [m["status"] for m in messages if m["role"] == "user"] == statuses


async def test_manager_message_is_delivered_with_role_manager(live_api, chat, fake_telegram):
    response = await live_api.post(f"/api/conversations/{chat}/messages", json={"message": "Hello from manager!"})
    assert response.status_code == 201 and response.json()["results"]["role"] == "manager"
    sent = await fake_telegram.awaited_sent(2, token=TOKEN)
    assert sent[-1].text == "Hello from manager!" and sent[-1].chat_id == 42
    await wait_until(lambda: _message_count(live_api, chat, 3), what="manager message sent")
    messages = (await live_api.get(f"/api/conversations/{chat}/messages")).json()["results"]
    assert messages[-1]["role"] == "manager" and messages[-1]["status"] == "sent"


async def test_notes_are_kept_with_author_and_time(live_api, chat):
    response = await live_api.post(f"/api/conversations/{chat}/notes", json={"notes": "Customer requested refund"})
    assert response.status_code == 201
    notes = (await live_api.get(f"/api/conversations/{chat}")).json()["results"]["notes"]
    assert notes[0]["notes"] == "Customer requested refund" and notes[0]["author"] == "manager"
    assert notes[0]["created_at"]
    empty = await live_api.post(f"/api/conversations/{chat}/notes", json={"notes": ""})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "notes"


async def test_export_is_csv_with_every_message_and_no_formulas(live_api, chat, fake_telegram):
    fake_telegram.push_message(TOKEN, 42, "=HYPERLINK(\"http://evil\")")
    await fake_telegram.awaited_sent(2, token=TOKEN)
    await wait_until(lambda: _message_count(live_api, chat, 4), what="all stored")
    response = await live_api.get(f"/api/conversations/{chat}/export")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert f'filename="conversation-{chat}-telegram-' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert [r["role"] for r in rows] == ["user", "assistant", "user", "assistant"]
    assert rows[0]["original_text"] == "Hi, where is my order?" and rows[0]["time"]
    assert rows[2]["text"] == "'=HYPERLINK(\"http://evil\")"
    assert {"time", "role", "text", "original_text", "language"} <= set(rows[0])


async def test_unknown_conversation_is_404(live_api):
    for method, path in [
        ("get", "/api/conversations/999"),
        ("post", "/api/conversations/999/takeover"),
        ("get", "/api/conversations/999/export"),
    ]:
        response = await getattr(live_api, method)(path)
        assert response.status_code == 404 and response.json()["code"] == "CONVERSATION_NOT_FOUND"
