"""A conversation's messages page by page (keyset by id): 10,000 messages, each page found through an index."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, text

from ai_agents.db.models import Message
from ai_agents.services.workspace.conversations import count_messages, list_messages
from tests.services.workspace.test_inbox import seed

MESSAGES = 10_000


async def test_pages_walk_back_through_ten_thousand_messages(ctx):
    chat, other, _third = seed(ctx)
    start = ctx.clock.now()
    rows = [{"conversation_id": (chat if n % 3 else other), "integration_id": 1, "role": "user", "kind": "chat",
             "text": f"m{n}", "status": "received", "created_at": start + timedelta(seconds=n)}
            for n in range(MESSAGES + MESSAGES // 2)]
    with ctx.engine.begin() as connection:
        connection.execute(insert(Message.__table__), rows)
    seen, before = [], None
    while page := list_messages(ctx, chat, limit=50, before_id=before):
        assert [m["id"] for m in page] == sorted(m["id"] for m in page)  # oldest first within a page
        seen = [m["text"] for m in page] + seen
        before = page[0]["id"]
    assert seen == [f"m{n}" for n in range(MESSAGES + MESSAGES // 2) if n % 3]
    if ctx.engine.dialect.name == "sqlite":
        with ctx.engine.connect() as connection:
            plan = " ".join(str(row) for row in connection.execute(text(
                "EXPLAIN QUERY PLAN SELECT * FROM messages WHERE conversation_id = 1 AND id < 5000 "
                "ORDER BY id DESC LIMIT 51")))
        assert "ix_messages_conversation_id" in plan and "TEMP B-TREE" not in plan  # no sort of the whole chat


async def test_pages_walk_forward_after_an_id_and_count_what_came_after(ctx):
    chat, other, _third = seed(ctx)
    start = ctx.clock.now()
    rows = [{"conversation_id": (chat if n % 2 else other), "integration_id": 1, "role": "user", "kind": "chat",
             "text": f"m{n}", "status": "received", "created_at": start + timedelta(seconds=n)}
            for n in range(600)]
    with ctx.engine.begin() as connection:
        connection.execute(insert(Message.__table__), rows)
    everything = list_messages(ctx, chat, limit=1000)
    first = everything[0]["id"]
    seen, after = [everything[0]["text"]], first
    while page := list_messages(ctx, chat, limit=50, after_id=after):
        assert len(page) <= 50 and [m["id"] for m in page] == sorted(m["id"] for m in page)
        assert page[0]["id"] > after
        seen += [m["text"] for m in page]
        after = page[-1]["id"]
    assert seen == [m["text"] for m in everything] and len(seen) == len(everything)
    middle = everything[100]["id"]
    assert [m["id"] for m in list_messages(ctx, chat, limit=3, after_id=middle)] == [m["id"] for m in everything[101:104]]
    between = list_messages(ctx, chat, limit=50, after_id=middle, before_id=everything[104]["id"])
    assert [m["id"] for m in between] == [m["id"] for m in everything[101:104]]  # both bounds: only what lies between
    assert count_messages(ctx, chat, after_id=middle) == len(everything) - 101
    assert count_messages(ctx, chat) == len(everything)
    assert count_messages(ctx, chat, after_id=everything[-1]["id"]) == 0
    assert list_messages(ctx, chat, after_id=everything[-1]["id"]) == []
