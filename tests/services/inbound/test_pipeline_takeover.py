"""A person acting while the AI writes its reply: takeover, release and escalation mid-turn."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import Session, select

from ai_agents.db.models import Alert, Message
from tests.api.test_settings import PLAN_SENTIMENT
from tests.support.flows import connect_bot, create_agent, wait_until

TOKEN = "8008:AAtakeovertesttokenvalue00000000008"
VERY_NEGATIVE = "This is the worst experience ever! I want a refund immediately!"


async def bot(api, fake_telegram, settings: dict | None = None) -> dict:
    agent = await create_agent(api)
    if settings:
        response = await api.put(f"/api/agents/{agent['id']}/settings", json=settings)
        assert response.status_code == 200, response.text
    await connect_bot(api, agent["id"], fake_telegram, TOKEN)
    return agent


async def only_conversation(api) -> dict:
    conversations = (await api.get("/api/conversations")).json()["results"]
    assert len(conversations) == 1
    return conversations[0]


async def messages_of(api, conversation_id: int) -> list[dict]:
    response = await api.get(f"/api/conversations/{conversation_id}/messages")
    assert response.status_code == 200, response.text
    return response.json()["results"]


def user_statuses(live) -> list[str]:
    with Session(live.ctx.engine) as session:
        return [m.status for m in session.exec(select(Message).where(Message.role == "user").order_by(Message.id))]


class Gate:
    """A first pipeline stage that holds the turn (after its snapshot was taken) until opened:
    the test then acts as a person would while the stages run."""

    def __init__(self) -> None:
        self.reached, self.opened, self.passes = asyncio.Event(), asyncio.Event(), 0

    async def __call__(self, pipeline, turn) -> None:
        self.passes += 1
        if self.passes == 1:
            self.reached.set()
            await self.opened.wait()


async def while_the_llm_answers(api, fake_telegram, fake_openai, chat: int, text: str, latency: float) -> dict:
    """A customer message whose LLM call is running (slowed by `latency`); its conversation."""
    fake_openai.set_latency(latency)
    await bot(api, fake_telegram)
    fake_telegram.push_message(TOKEN, chat, text)
    await wait_until(lambda: fake_openai.in_flight == 1, what="the LLM call running")
    return await only_conversation(api)


async def test_takeover_during_a_slow_reply_keeps_it_as_a_suggestion(live, live_api, fake_telegram, fake_openai):
    conversation = await while_the_llm_answers(live_api, fake_telegram, fake_openai, 21, "Can I get a discount?", 1.0)
    response = await live_api.post(f"/api/conversations/{conversation['id']}/takeover")
    assert response.status_code == 200, response.text

    await wait_until(lambda: user_statuses(live) == ["handled"], what="the turn finished")
    after = (await live_api.get(f"/api/conversations/{conversation['id']}")).json()["results"]
    assert after["manual_mode"] is True and after["manual_reason"] == "taken over by manager"
    await asyncio.sleep(0.3)
    assert fake_telegram.sent(token=TOKEN) == []  # the customer got nothing from the AI
    suggestion = (await messages_of(live_api, conversation["id"]))[-1]
    assert (suggestion["role"], suggestion["kind"], suggestion["status"], suggestion["text"]) == (
        "assistant", "reply", "suggested", "Reply to: Can I get a discount?",
    )

    url = f"/api/conversations/{conversation['id']}/suggestions/{suggestion['id']}/send"
    response = await live_api.post(url, json={"author": "Olga"})
    assert response.status_code == 201, response.text
    assert response.json()["results"]["role"] == "manager" and response.json()["results"]["author"] == "Olga"
    sent = await fake_telegram.awaited_sent(1, token=TOKEN)
    assert [s.text for s in sent] == ["Reply to: Can I get a discount?"]
    again = await live_api.post(url)
    assert again.status_code == 409 and "not a pending AI suggestion" in again.json()["message"]
    await asyncio.sleep(0.3)
    assert len(fake_telegram.sent(token=TOKEN)) == 1  # delivered once
    statuses = [(m["role"], m["status"]) for m in await messages_of(live_api, conversation["id"])]
    assert statuses[:2] == [("user", "handled"), ("assistant", "suggestion_sent")]
    assert statuses[2][0] == "manager"
    still = (await live_api.get(f"/api/conversations/{conversation['id']}")).json()["results"]
    assert still["manual_mode"] is True


async def test_release_during_a_turn_stands_and_the_ai_answers(live, live_api, fake_telegram, fake_openai):
    await bot(live_api, fake_telegram)
    fake_telegram.push_message(TOKEN, 22, "hello")
    await fake_telegram.awaited_sent(1, token=TOKEN)
    conversation = await only_conversation(live_api)
    await live_api.post(f"/api/conversations/{conversation['id']}/takeover")
    gate = Gate()
    live.pipeline.stages.insert(0, gate)

    fake_telegram.push_message(TOKEN, 22, "are you there?")  # arrives while taken over
    await asyncio.wait_for(gate.reached.wait(), 10)  # its turn saw the conversation in manual mode
    response = await live_api.post(f"/api/conversations/{conversation['id']}/release")
    assert response.status_code == 200, response.text
    gate.opened.set()

    sent = await fake_telegram.awaited_sent(2, token=TOKEN)
    assert sent[-1].text == "Reply to: are you there?"  # the AI is in charge again: it answers
    after = (await live_api.get(f"/api/conversations/{conversation['id']}")).json()["results"]
    assert after["manual_mode"] is False and after["manual_reason"] is None
    assert user_statuses(live) == ["handled", "handled"]


async def test_takeover_and_release_during_a_reply_leave_the_ai_in_charge(live, live_api, fake_telegram, fake_openai):
    conversation = await while_the_llm_answers(live_api, fake_telegram, fake_openai, 25, "what time do you open?", 0.5)
    await live_api.post(f"/api/conversations/{conversation['id']}/takeover")
    await live_api.post(f"/api/conversations/{conversation['id']}/release")

    sent = await fake_telegram.awaited_sent(1, token=TOKEN)  # released before the reply was done
    assert [s.text for s in sent] == ["Reply to: what time do you open?"]
    after = (await live_api.get(f"/api/conversations/{conversation['id']}")).json()["results"]
    assert after["manual_mode"] is False
    assert [m["status"] for m in await messages_of(live_api, conversation["id"])][-1] != "suggested"


@pytest.mark.parametrize("release_too", [False, True], ids=["taken-over", "taken-over-and-released"])
async def test_escalation_of_a_turn_is_kept_whatever_a_person_did_meanwhile(
    live, live_api, fake_telegram, fake_openai, release_too
):
    await bot(live_api, fake_telegram, PLAN_SENTIMENT)
    gate = Gate()
    live.pipeline.stages.insert(0, gate)
    fake_telegram.push_message(TOKEN, 23, VERY_NEGATIVE)
    await asyncio.wait_for(gate.reached.wait(), 10)
    conversation = await only_conversation(live_api)
    await live_api.post(f"/api/conversations/{conversation['id']}/takeover")
    if release_too:
        await live_api.post(f"/api/conversations/{conversation['id']}/release")
    gate.opened.set()

    await wait_until(lambda: user_statuses(live) == ["handled"], what="the turn finished")
    after = (await live_api.get(f"/api/conversations/{conversation['id']}")).json()["results"]
    assert after["manual_mode"] is True and after["escalated"] is True
    expected_reason = "escalated automatically" if release_too else "taken over by manager"
    assert after["manual_reason"].startswith(expected_reason)
    assert any("Escalated" in note["notes"] for note in after["notes"])
    with Session(live.ctx.engine) as session:
        assert "escalation" in [a.kind for a in session.exec(select(Alert))]
    await asyncio.sleep(0.2)
    assert fake_telegram.sent(token=TOKEN) == [] and fake_openai.requests() == []


async def test_opt_out_during_a_takeover_stands(live, live_api, fake_telegram, fake_openai):
    await bot(live_api, fake_telegram)
    gate = Gate()
    live.pipeline.stages.insert(0, gate)
    fake_telegram.push_message(TOKEN, 24, "STOP")
    await asyncio.wait_for(gate.reached.wait(), 10)
    conversation = await only_conversation(live_api)
    await live_api.post(f"/api/conversations/{conversation['id']}/takeover")
    gate.opened.set()

    await wait_until(lambda: user_statuses(live) == ["handled"], what="the turn finished")
    after = (await live_api.get(f"/api/conversations/{conversation['id']}")).json()["results"]
    assert after["opted_out"] is True and after["manual_mode"] is True
    confirmation = (await messages_of(live_api, conversation["id"]))[-1]
    assert (confirmation["kind"], confirmation["status"]) == ("opt_out", "suggested")  # for the manager to send
    await asyncio.sleep(0.2)
    assert fake_telegram.sent(token=TOKEN) == []
