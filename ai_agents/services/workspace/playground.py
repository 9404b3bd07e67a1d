"""An agent's try box: its playground integration (made on first use) and the messages typed in it."""

from __future__ import annotations

import secrets
import threading
import uuid

from pydantic import Field
from sqlmodel import select

from ai_agents.core.errors import NotFound
from ai_agents.core.types import PLAYGROUND_CHANNEL, Provider
from ai_agents.db.models import Agent, Conversation, Integration
from ai_agents.db.queries import load_agent
from ai_agents.db.session import run_db, session_scope
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.ports import InboundMessage
from ai_agents.services.validation import StrictInput, parse

log = get_logger("playground")

TRY_CONTACT = "You (try box)"  # the contact of try-box conversations in Live Chat
CHAT_PATTERN = r"^try-[0-9a-f]{12}$"
_creating = threading.Lock()  # one playground integration per agent in this process (SQLite)


class TryMessage(StrictInput):
    """What a person typed in the try box, and which of its chats it belongs to."""

    chat: str = Field(pattern=CHAT_PATTERN, description="The try box's chat, from new_chat()")
    text: str = Field(min_length=1, max_length=4096)


def new_chat() -> str:
    """A fresh try-box chat: a new conversation with the agent (working hours, follow-ups anew)."""
    return f"try-{secrets.token_hex(6)}"


def playground_integration(ctx: AppContext, agent_id: int) -> int:
    """The id of the agent's playground integration, created the first time (NotFound: no agent)."""
    with _creating, session_scope(ctx.engine) as session:
        load_agent(session, agent_id)
        # PostgreSQL: servers creating it at once wait here for one another (SQLite: the lock above).
        session.exec(select(Agent.id).where(Agent.id == agent_id).with_for_update()).one()
        found = session.exec(select(Integration.id).where(
            Integration.agent_id == agent_id, Integration.provider == Provider.PLAYGROUND)).first()
        if found is not None:
            return found
        now = ctx.clock.now()
        row = Integration(
            agent_id=agent_id, channel=PLAYGROUND_CHANNEL, provider=Provider.PLAYGROUND, name="Try this agent",
            display_name="Try this agent", is_enabled=True, created_at=now, updated_at=now,
        )
        session.add(row)
        session.flush()
        log.info("✅ Try box of agent %s ready (integration %s)", agent_id, row.id)
        return row.id


def _conversation_id(ctx: AppContext, integration_id: int, chat: str) -> int:
    with session_scope(ctx.engine) as session:
        found = session.exec(select(Conversation.id).where(
            Conversation.integration_id == integration_id, Conversation.remote_id == chat)).first()
    if found is None:  # the agent (and its try box) was deleted meanwhile
        raise NotFound(f"integration {integration_id} was deleted; open the agent again")
    return found


async def say(ctx: AppContext, agent_id: int, chat: str, text: str) -> int:
    """Hand `text` to the agent as the try box's customer `chat` would send it: through the
    playground adapter into the pipeline (working hours, translation, sentiment, reply, outbox).
    Returns the conversation, stored by then; the reply follows through the outbox."""
    typed = parse(TryMessage, {"chat": chat, "text": text})
    integration_id = await run_db(ctx.engine, playground_integration, ctx, agent_id)
    message = InboundMessage(
        integration_id=integration_id, remote_id=typed.chat, text=typed.text,
        external_id=f"try-{uuid.uuid4().hex}", timestamp=ctx.clock.now(), sender_name=TRY_CONTACT,
    )
    await ctx.gateway().try_message(message)
    return await run_db(ctx.engine, _conversation_id, ctx, integration_id, typed.chat)
