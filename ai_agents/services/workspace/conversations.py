"""Live chat: list and read conversations, take over, release, notes, manager messages, export."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from pydantic import Field
from sqlalchemy import func
from sqlmodel import select

from ai_agents.core.types import Role
from ai_agents.db.models import Agent, Conversation, Message, Note
from ai_agents.db.queries import load_conversation
from ai_agents.db.session import read_scope, session_scope
from ai_agents.logs import get_logger
from ai_agents.services.agent_settings import settings_of
from ai_agents.services.context import AppContext
from ai_agents.services.outbound.outbox import queue_message
from ai_agents.services.translation import translate_for_agent
from ai_agents.services.validation import StrictInput

log = get_logger("conversations")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")  # unambiguous: linear


class NoteCreate(StrictInput):
    notes: str = Field(min_length=1, max_length=10_000, description="The note text")
    author: str = Field("manager", min_length=1, max_length=200)


class ManagerMessage(StrictInput):
    message: str = Field(min_length=1, max_length=10_000, description="Text sent to the customer")
    author: str = Field("manager", min_length=1, max_length=200)
    translate: bool | None = Field(
        None, description="Translate to the customer's language; default: the agent's setting"
    )


def conversation_view(conversation: Conversation, agent_name: str | None = None) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "agent_id": conversation.agent_id,
        "agent_name": agent_name,
        "integration_id": conversation.integration_id,
        "channel": conversation.channel,
        "remote_jid": conversation.remote_id,
        "contact_name": conversation.contact_name,
        "contact_username": conversation.contact_username,
        "language": conversation.language,
        "manual_mode": conversation.manual_mode,
        "manual_reason": conversation.manual_reason,
        "escalated": conversation.escalated,
        "opted_out": conversation.opted_out,
        "last_message_at": conversation.last_message_at,
        "last_customer_message_at": conversation.last_customer_message_at,
        "follow_ups_sent": conversation.follow_ups_sent,
        "last_error": conversation.last_error,
        "created_at": conversation.created_at,
    }


def message_view(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "role": message.role,
        "kind": message.kind,
        "text": message.text,
        "translation": message.translation,
        "language": message.language,
        "sentiment": message.sentiment,
        "status": message.status,
        "error": message.error,
        "author": message.author,
        "created_at": message.created_at,
    }


def note_view(note: Note) -> dict[str, Any]:
    return {"id": note.id, "author": note.author, "notes": note.text, "created_at": note.created_at}


def list_conversations(
    ctx: AppContext,
    *,
    agent_id: int | None = None,
    integration_id: int | None = None,
    channel: str | None = None,
    manual_mode: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Newest activity first."""
    filters = []
    if agent_id is not None:
        filters.append(Conversation.agent_id == agent_id)
    if integration_id is not None:
        filters.append(Conversation.integration_id == integration_id)
    if channel is not None:
        filters.append(Conversation.channel == channel)
    if manual_mode is not None:
        filters.append(Conversation.manual_mode == manual_mode)
    with session_scope(ctx.engine) as session:
        total = session.exec(select(func.count(Conversation.id)).where(*filters)).one()
        rows = session.exec(
            select(Conversation, Agent.name)
            .join(Agent, Agent.id == Conversation.agent_id)
            .where(*filters)
            .order_by(Conversation.last_message_at.desc(), Conversation.id.desc())
            .offset(offset)
            .limit(limit)
        ).all()
        return [conversation_view(c, name) for c, name in rows], total


def get_conversation(ctx: AppContext, conversation_id: int) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        conversation = load_conversation(session, conversation_id)
        agent = session.get(Agent, conversation.agent_id)
        view = conversation_view(conversation, agent.name if agent else None)
        notes = session.exec(select(Note).where(Note.conversation_id == conversation_id).order_by(Note.id))
        view["notes"] = [note_view(n) for n in notes]
        view["message_count"] = session.exec(
            select(func.count(Message.id)).where(Message.conversation_id == conversation_id)
        ).one()
        return view


def list_messages(
    ctx: AppContext,
    conversation_id: int,
    *,
    limit: int = 100,
    before_id: int | None = None,
    after_id: int | None = None,
) -> list[dict[str, Any]]:
    """Oldest first: the latest `limit` messages (before `before_id` if given), or with `after_id`
    the first `limit` after it (and before `before_id` if given). Keyset pages by id, both ways."""
    with session_scope(ctx.engine) as session:
        load_conversation(session, conversation_id)
        query = select(Message).where(Message.conversation_id == conversation_id)
        if before_id is not None:
            query = query.where(Message.id < before_id)
        if after_id is not None:
            rows = session.exec(query.where(Message.id > after_id).order_by(Message.id).limit(limit)).all()
            return [message_view(m) for m in rows]
        rows = session.exec(query.order_by(Message.id.desc()).limit(limit)).all()
        return [message_view(m) for m in reversed(rows)]


def count_messages(ctx: AppContext, conversation_id: int, *, after_id: int = 0) -> int:
    """How many messages of the conversation came after `after_id` (all of them with 0)."""
    with session_scope(ctx.engine) as session:
        load_conversation(session, conversation_id)
        query = select(func.count(Message.id)).where(Message.conversation_id == conversation_id)
        return session.exec(query.where(Message.id > after_id)).one()


def set_manual_mode(ctx: AppContext, conversation_id: int, manual: bool, reason: str | None = None) -> dict:
    """Take over (the AI stops answering) or release the conversation back to the AI."""
    with session_scope(ctx.engine) as session:
        conversation = load_conversation(session, conversation_id)
        conversation.manual_mode = manual
        conversation.manual_reason = reason if manual else None
        conversation.taken_over_at = ctx.clock.now() if manual else None
        if not manual:
            conversation.escalated = False
        view = conversation_view(conversation)
    if manual:
        log.info("✅ Conversation %s taken over by manager", conversation_id)
    else:
        log.info("🤖 Conversation %s released to the AI agent", conversation_id)
    ctx.live.publish("conversation", conversation_id=conversation_id, manual_mode=manual)
    return view


def add_note(ctx: AppContext, conversation_id: int, data: NoteCreate) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        load_conversation(session, conversation_id)
        note = Note(conversation_id=conversation_id, author=data.author, text=data.notes, created_at=ctx.clock.now())
        session.add(note)
        session.flush()
        view = note_view(note)
    log.info("📝 Note added to conversation %s", conversation_id)
    ctx.live.publish("note", conversation_id=conversation_id)
    return view


async def send_manager_message(ctx: AppContext, conversation_id: int, data: ManagerMessage) -> dict[str, Any]:
    """Store the manager's message (role manager), translated to the customer's language when
    the agent's `translate_manager_messages` is on (or `translate` says so), and queue it."""
    with session_scope(ctx.engine) as session:
        conversation = load_conversation(session, conversation_id)
        agent = session.get(Agent, conversation.agent_id)
    text, translation = data.message, None
    settings = settings_of(agent.settings).translation
    source, target = settings.source_language, conversation.language
    wanted = data.translate if data.translate is not None else settings.enabled and settings.translate_manager_messages
    if wanted and target and target != source:
        translated = await translate_for_agent(ctx, agent, data.message, source, target)
        if translated is not None:
            text, translation = translated, data.message
            log.info("🔄 [AgentService] Translated manager message from %s to %s", source, target)
    with session_scope(ctx.engine) as session:
        conversation = load_conversation(session, conversation_id)
        message = queue_message(
            session,
            ctx,
            conversation,
            role=Role.MANAGER,
            kind="manager",
            text=text,
            translation=translation,
            author=data.author,
        )
        view = message_view(message)
    if ctx.outbox_wakeup:
        ctx.outbox_wakeup()
    log.info("👤 Manager message queued for conversation %s", conversation_id)
    ctx.live.publish("message", conversation_id=conversation_id, message_id=view["id"])
    return view


def _cell(value: Any) -> str:
    """Text for a CSV cell; a cell a spreadsheet would run as a formula is escaped (CSV injection).
    Numbers stay numbers: "-0.62" and "+49" are values, "-1+1" and "=SUM(A1)" are formulas."""
    text = "" if value is None else str(value)
    is_formula = text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text)
    return "'" + text if is_formula else text


def export_csv(ctx: AppContext, conversation_id: int) -> tuple[str, str]:
    """(filename, CSV text) with every message of the conversation, oldest first. Read in a read
    scope (no writer waits for it), the CSV built after the session is closed."""
    columns = (Message.created_at, Message.role, Message.author, Message.translation, Message.text,
               Message.language, Message.sentiment, Message.status)
    with read_scope(ctx.engine) as session:
        conversation = load_conversation(session, conversation_id)
        rows = session.exec(
            select(*columns).where(Message.conversation_id == conversation_id).order_by(Message.id)
        ).all()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # text: in the agent's language; original_text: as the customer wrote or received it.
    writer.writerow(["time", "role", "author", "text", "original_text", "language", "sentiment", "status"])
    for created_at, role, author, translation, text, language, sentiment, status in rows:
        row = (created_at.isoformat(), role, author, translation or text, text, language, sentiment, status)
        writer.writerow([_cell(v) for v in row])
    stamp = ctx.clock.now().strftime("%Y%m%d")
    filename = f"conversation-{conversation.id}-{conversation.channel}-{stamp}.csv"
    return filename, buffer.getvalue()
