"""CSV export cells: formulas are escaped, numbers (negative sentiment, "+49 ...") stay numbers."""

from __future__ import annotations

import csv
import io

import pytest

from ai_agents.db.models import Conversation, Integration, Message
from ai_agents.db.session import session_scope

TEXTS = {
    "-5": "-5",
    "+4915112345678": "+4915112345678",
    "-1.5e3": "-1.5e3",
    "=1+1": "'=1+1",
    "-1+1": "'-1+1",
    "+SUM(A1:A9)": "'+SUM(A1:A9)",
    "@cmd": "'@cmd",
    "-": "'-",
    "-2 apples": "'-2 apples",
}


@pytest.fixture
async def conversation_id(ctx, api) -> int:
    """A conversation whose customer wrote each of TEXTS, each scored -0.62."""
    agent = await api.post("/api/agents", json={"name": "Export", "model": "gpt-4o-mini", "api_key": "sk-export-1"})
    with session_scope(ctx.engine) as session:
        integration = Integration(agent_id=agent.json()["results"]["id"], channel="telegram", provider="telegram_bot")
        session.add(integration)
        session.flush()
        chat = Conversation(
            agent_id=integration.agent_id, integration_id=integration.id, channel="telegram", remote_id="42"
        )
        session.add(chat)
        session.flush()
        session.add_all(
            Message(conversation_id=chat.id, integration_id=integration.id, role="user", text=text, sentiment=-0.62)
            for text in TEXTS
        )
        return chat.id


async def test_numbers_stay_numbers_and_formulas_are_escaped(api, conversation_id):
    response = await api.get(f"/api/conversations/{conversation_id}/export")
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert [row["sentiment"] for row in rows] == ["-0.62"] * len(TEXTS)
    expected = list(TEXTS.values())
    assert [row["text"] for row in rows] == expected and [row["original_text"] for row in rows] == expected
