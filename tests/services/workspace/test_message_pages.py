"""A conversation's messages page by page (keyset by id): 10,000 messages, each page found through an index."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, text

from ai_agents.db.models import Message
from ai_agents.services.workspace.conversations import list_messages
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
