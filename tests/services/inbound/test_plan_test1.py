"""Plan Test 1 (Telegram part): 3 agents, 2 bots, 10 chats writing at once; isolation and counters."""

from __future__ import annotations

import asyncio

from tests.support.flows import connect_bot, create_agent, wait_until

BOTS = {
    "5005:AAplantestonebottokenvalue000000005": "Support Agent 1",
    "5006:AAplantesttwobottokenvalue000000006": "Support Agent 2",
}


def agent_tagged_reply(body: dict, _api_key: str) -> str:
    system = body["messages"][0]["content"]
    return f"[{system}] Reply to: {body['messages'][-1]['content']}"


async def test_many_chats_on_two_bots_each_answered_once_by_the_right_agent(
    live, live_api, fake_telegram, fake_openai
):
    fake_openai.set_responder(agent_tagged_reply)
    fake_openai.set_latency(0.05)
    agents = {}
    for name in ("Support Agent 1", "Support Agent 2", "Support Agent 3"):
        agents[name] = await create_agent(live_api, name)
    for token, name in BOTS.items():
        await connect_bot(live_api, agents[name]["id"], fake_telegram, token, username=name.replace(" ", "_"))

    chats = [(token, 7000 + i) for i, token in enumerate(list(BOTS) * 5)]  # 10 chats, 5 per bot

    async def customer(token: str, chat_id: int) -> None:
        for n in range(3):
            fake_telegram.push_message(token, chat_id, f"chat {chat_id} message {n}")
            await asyncio.sleep(0.01)

    await asyncio.gather(*(customer(token, chat_id) for token, chat_id in chats))
    for token in BOTS:
        await fake_telegram.awaited_sent(15, token=token, timeout=30)
    await asyncio.sleep(0.3)  # nothing more may arrive

    for token, chat_id in chats:
        replies = [s.text for s in fake_telegram.sent(token=token, chat_id=chat_id)]
        agent = BOTS[token]
        assert replies == [f"[You are {agent}.] Reply to: chat {chat_id} message {n}" for n in range(3)]

    conversations = (await live_api.get("/api/conversations", params={"limit": 100})).json()
    assert conversations["meta"]["total"] == 10
    for conversation in conversations["results"]:
        messages = (await live_api.get(f"/api/conversations/{conversation['id']}/messages")).json()["results"]
        chat_id = conversation["remote_jid"]
        assert len(messages) == 6
        assert all(f"chat {chat_id} " in m["text"] for m in messages)  # isolation: only its own
        expected_agent = agents[BOTS[_token_of(conversation, chats)]]["id"]
        assert conversation["agent_id"] == expected_agent

    async def counted():
        stats = (await live_api.get("/api/dashboard/stats")).json()["results"]
        return stats["messages_today"] == 60 and stats["conversations"] == 10

    await wait_until(counted, what="dashboard counters")
    stats = (await live_api.get("/api/dashboard/stats")).json()["results"]
    assert stats["incoming_messages_today"] == 30
    assert stats["conversations_by_channel"] == {"telegram": 10}
    by_agent = {a["name"]: a["conversations"] for a in stats["conversations_by_agent"]}
    assert by_agent == {"Support Agent 1": 5, "Support Agent 2": 5, "Support Agent 3": 0}


def _token_of(conversation: dict, chats: list[tuple[str, int]]) -> str:
    return next(token for token, chat_id in chats if str(chat_id) == conversation["remote_jid"])
