"""An incoming update that fails every time is kept as a dead letter with an alert; the bot goes on."""

from __future__ import annotations

from sqlmodel import Session, select

from ai_agents.core.types import AlertKind
from ai_agents.db.models import Alert, DeadLetter, Message
from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "4004:AAdeadlettertesttokenvalue0000000004"
POISON = "half an emoji \ud83d"  # a lone surrogate: valid JSON, but no database can store it


async def test_poison_update_is_set_aside_and_the_next_message_is_answered(live, live_api, fake_telegram, logs):
    agent = await create_agent(live_api)
    integration = await connect_bot(live_api, agent["id"], fake_telegram, TOKEN)
    poison_update = fake_telegram.push_message(TOKEN, 41, POISON)
    fake_telegram.push_message(TOKEN, 42, "hello after the bad one")

    sent = await fake_telegram.awaited_sent(1, token=TOKEN, chat_id=42)  # not held up by the bad one
    assert sent[0].text == "Reply to: hello after the bad one"

    def kept() -> bool:
        with Session(live.ctx.engine) as session:
            return bool(session.exec(select(DeadLetter)).all())

    await wait_until(kept, what="the bad update kept as a dead letter")
    with Session(live.ctx.engine) as session:
        letters = session.exec(select(DeadLetter)).all()
        alerts = session.exec(select(Alert).where(Alert.kind == AlertKind.DEAD_LETTER)).all()
        stored = session.exec(select(Message.text)).all()
    assert [(d.integration_id, d.external_id, d.attempts) for d in letters] == [
        (integration["id"], str(poison_update), 3)
    ]
    assert letters[0].payload["message"]["text"] == POISON and letters[0].payload["update_id"] == poison_update
    assert "UnicodeEncodeError" in letters[0].error
    assert [(a.integration_id, a.agent_id) for a in alerts] == [(integration["id"], agent["id"])]
    assert POISON not in stored
    assert logs.count("🚨 [AgentHandler] Update") == 1
    assert fake_telegram.sent(token=TOKEN, chat_id=41) == []

    listed = (await live_api.get(f"/api/integrations/{integration['id']}/dead_letters")).json()["results"]
    assert [(d["external_id"], d["attempts"]) for d in listed] == [(str(poison_update), 3)]
    assert listed[0]["payload"]["message"]["text"] == "half an emoji \\ud83d"  # shown, not a 500

    async def connected():
        view = (await live_api.get(f"/api/integrations/{integration['id']}")).json()["results"]
        return view["status"] == "connected"

    await wait_until(connected, what="integration connected again")


async def test_dead_letters_of_an_unknown_integration_is_404(live, live_api):
    assert (await live_api.get("/api/integrations/999/dead_letters")).status_code == 404
