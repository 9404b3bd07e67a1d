"""The live chat inbox: last message, unanswered count, filters, search and pages over 1,000 chats."""

from __future__ import annotations

import time
from datetime import timedelta

from ai_agents.core.types import Role
from ai_agents.db.models import Agent, Conversation, Integration, Message
from ai_agents.db.session import session_scope
from ai_agents.services.workspace.inbox import inbox


def seed(ctx, count: int = 3) -> list[int]:
    """Agents A and B; `count` conversations (newest last) alternating between them."""
    now = ctx.clock.now()
    with session_scope(ctx.engine) as session:
        agents = [Agent(name="A", model="m"), Agent(name="B", model="m")]
        session.add_all(agents)
        session.flush()
        bots = [Integration(agent_id=a.id, channel="telegram", provider="telegram_bot") for a in agents]
        session.add_all(bots)
        session.flush()
        chats = []
        for n in range(count):
            chat = Conversation(
                agent_id=agents[n % 2].id, integration_id=bots[n % 2].id, channel="telegram", remote_id=str(1000 + n),
                contact_name=f"Customer {n}", created_at=now, last_message_at=now + timedelta(seconds=n),
            )
            chats.append(chat)
        session.add_all(chats)
        session.flush()
        return [c.id for c in chats]


def add_message(ctx, conversation_id: int, role: str, text: str, seconds: int) -> None:
    with session_scope(ctx.engine) as session:
        chat = session.get(Conversation, conversation_id)
        at = ctx.clock.now() + timedelta(seconds=seconds)
        session.add(Message(conversation_id=chat.id, integration_id=chat.integration_id, role=role, text=text,
                            created_at=at))
        if role != Role.USER:
            chat.last_agent_message_at = at


async def test_last_message_and_unanswered_count(ctx):
    first, _second, _third = seed(ctx)
    add_message(ctx, first, Role.USER, "hello", 1)
    add_message(ctx, first, Role.ASSISTANT, "hi, how can I help?", 2)
    add_message(ctx, first, Role.USER, "my order", 3)
    add_message(ctx, first, Role.USER, "is late", 4)
    rows, total = inbox(ctx)
    row = next(r for r in rows if r["id"] == first)
    assert total == 3 and row["last_message"] == "is late" and row["unread"] == 2
    assert [r["contact_name"] for r in rows] == ["Customer 2", "Customer 1", "Customer 0"]  # newest activity first


async def test_filters_and_search(ctx):
    ids = seed(ctx, 4)
    with session_scope(ctx.engine) as session:
        session.get(Conversation, ids[1]).manual_mode = True
        session.get(Conversation, ids[2]).escalated = True
        session.get(Conversation, ids[3]).contact_name = "100%_sure"
        agent_b = session.get(Conversation, ids[1]).agent_id

    def names(**filters):
        return [r["contact_name"] for r in inbox(ctx, **filters)[0]]

    assert names(state="taken_over") == ["Customer 1"]
    assert names(state="escalated") == ["Customer 2"]
    assert names(state="ai") == ["100%_sure", "Customer 2", "Customer 0"]
    assert names(agent_id=agent_b) == ["100%_sure", "Customer 1"]
    assert names(channel="whatsapp") == []
    assert names(search="customer 2") == ["Customer 2"]
    assert names(search="%_") == ["100%_sure"]  # LIKE wildcards are searched for literally
    assert names(search="1002") == ["Customer 2"]  # the chat id too


async def test_a_page_of_1000_conversations_is_quick(ctx):
    ids = seed(ctx, 1000)
    for n, conversation_id in enumerate(ids[-60:]):
        add_message(ctx, conversation_id, Role.USER, f"message {n}", n)
    started = time.perf_counter()
    rows, total = inbox(ctx, limit=50, offset=0)
    first_page = time.perf_counter() - started
    last_rows, _ = inbox(ctx, limit=50, offset=950)
    print(f"\ninbox page of 50 out of 1,000 conversations in {first_page * 1000:.1f} ms ({ctx.engine.dialect.name})")
    assert total == 1000 and len(rows) == 50 and len(last_rows) == 50
    assert rows[0]["last_message"] == "message 59" and rows[0]["unread"] == 1
    assert {r["id"] for r in rows}.isdisjoint(r["id"] for r in last_rows)
    assert first_page < 1.0
