"""All tables of the platform (SQLModel); datetimes are timezone-aware UTC."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from ai_agents.core.types import (
    BroadcastStatus,
    IntegrationStatus,
    MessageStatus,
    OutboxStatus,
    Role,
)
from ai_agents.db.types import UTCDateTime, utcnow

# A customer message stored and not handled yet, as SQL with literal values: a partial index is
# used only by a query whose condition names the same literals (bound parameters do not match).
WAITING_CONDITION = f"role = '{Role.USER.value}' AND status = '{MessageStatus.RECEIVED.value}'"


def _created() -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)


def _when() -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=True)


def _json() -> Any:
    return Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Agent(SQLModel, table=True):
    """An AI agent: model, key, prompt, and its behaviour settings."""

    __tablename__ = "agents"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    model: str = Field(max_length=200)
    api_key_encrypted: str | None = Field(default=None, sa_type=Text)
    base_url: str | None = Field(default=None, max_length=500)
    system_prompt: str = Field(default="", sa_type=Text)
    temperature: float | None = None
    language: str = Field(default="en", max_length=16)
    is_active: bool = Field(default=True, index=True)
    # Sections: working_hours, translation, sentiment, follow_up (see services/agent_settings.py).
    settings: dict = _json()
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Integration(SQLModel, table=True):
    """A channel connection of an agent: a Telegram bot, a WhatsApp number, an Instagram page."""

    __tablename__ = "integrations"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agents.id", index=True, ondelete="CASCADE")
    channel: str = Field(max_length=32, index=True)  # ChannelType
    provider: str = Field(max_length=32)  # Provider
    name: str = Field(default="", max_length=200)
    is_enabled: bool = True
    credentials_encrypted: str | None = Field(default=None, sa_type=Text)  # JSON, encrypted
    config: dict = _json()  # api_base_url, rate_limit_per_second, page_id, phone_number_id ...
    external_id: str | None = Field(default=None, max_length=200, index=True)  # bot id, page id
    display_name: str | None = Field(default=None, max_length=200)  # @bot_username, phone
    device_id: str | None = Field(default=None, max_length=200, index=True)  # linked device
    jid: str | None = Field(default=None, max_length=200, index=True)  # linked device JID
    status: str = Field(default=IntegrationStatus.STOPPED, max_length=32)
    last_error: str | None = Field(default=None, sa_type=Text)
    connected_at: datetime | None = _when()
    status_changed_at: datetime | None = _when()
    created_at: datetime = _created()
    updated_at: datetime = _created()


class Conversation(SQLModel, table=True):
    """One customer on one integration (the plan's remote_jid), with its live-chat state."""

    __tablename__ = "conversations"
    __table_args__ = (
        UniqueConstraint("integration_id", "remote_id", name="uq_conversation_remote"),
        Index("ix_conversations_last_message_at", "last_message_at"),
        {"sqlite_autoincrement": True},  # ids are never reused
    )

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agents.id", index=True, ondelete="CASCADE")
    integration_id: int = Field(foreign_key="integrations.id", index=True, ondelete="CASCADE")
    channel: str = Field(max_length=32)
    remote_id: str = Field(max_length=200)  # chat id, phone JID, Instagram-scoped id
    contact_name: str | None = Field(default=None, max_length=200)
    contact_username: str | None = Field(default=None, max_length=200)
    language: str | None = Field(default=None, max_length=16)  # the customer's language
    manual_mode: bool = Field(default=False, index=True)  # taken over: the AI stays silent
    manual_reason: str | None = Field(default=None, max_length=500)
    taken_over_at: datetime | None = _when()
    escalated: bool = False
    opted_out: bool = False  # replied STOP: no broadcasts or follow-ups
    last_message_at: datetime | None = _when()
    last_customer_message_at: datetime | None = _when()
    last_agent_message_at: datetime | None = _when()
    follow_ups_sent: int = 0
    follow_up_state: str | None = Field(default=None, max_length=16)  # "done": nothing until a new message
    away_period_key: str | None = Field(default=None, max_length=64)  # closed period last told
    last_error: str | None = Field(default=None, sa_type=Text)
    created_at: datetime = _created()


class Message(SQLModel, table=True):
    """A message of a conversation, in and out, with translation and sentiment."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("integration_id", "external_id", name="uq_message_external"),
        Index("ix_messages_conversation_created", "conversation_id", "created_at"),
        Index("ix_messages_conversation_id", "conversation_id", "id"),  # a conversation's pages (keyset by id)
        Index("ix_messages_created_at", "created_at"),  # the dashboard's counts and charts
        # Customer messages not handled yet (few at any time): a conversation's next one is found
        # without walking its whole history. Queries name the condition literally (WAITING_CONDITION).
        Index("ix_messages_waiting", "conversation_id", "id", sqlite_where=text(WAITING_CONDITION),
              postgresql_where=text(WAITING_CONDITION)),
        {"sqlite_autoincrement": True},  # ids are never reused
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", ondelete="CASCADE")
    integration_id: int = Field(foreign_key="integrations.id", ondelete="CASCADE")
    role: str = Field(max_length=16)  # Role
    kind: str = Field(default="chat", max_length=32)  # chat, away, follow_up, broadcast
    text: str = Field(sa_type=Text)  # as the customer wrote or received it
    translation: str | None = Field(default=None, sa_type=Text)  # in the agent's language
    language: str | None = Field(default=None, max_length=16)  # language of `text`
    sentiment: float | None = None
    external_id: str | None = Field(default=None, max_length=200)  # channel's message id
    status: str = Field(default=MessageStatus.RECEIVED, max_length=16)
    error: str | None = Field(default=None, sa_type=Text)
    author: str | None = Field(default=None, max_length=200)  # manager name for role manager
    created_at: datetime = _created()


class Note(SQLModel, table=True):
    """A private note on a conversation, by a person from the team."""

    __tablename__ = "notes"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True, ondelete="CASCADE")
    author: str = Field(default="manager", max_length=200)
    text: str = Field(sa_type=Text)
    created_at: datetime = _created()


class Alert(SQLModel, table=True):
    """Something a person should look at: negative sentiment, escalation, failures."""

    __tablename__ = "alerts"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32, index=True)  # AlertKind
    severity: str = Field(default="warning", max_length=16)  # info, warning, critical
    agent_id: int | None = Field(default=None, foreign_key="agents.id", ondelete="CASCADE")
    conversation_id: int | None = Field(
        default=None, foreign_key="conversations.id", index=True, ondelete="CASCADE"
    )
    message_id: int | None = Field(default=None, foreign_key="messages.id", ondelete="SET NULL")
    integration_id: int | None = Field(
        default=None, foreign_key="integrations.id", ondelete="CASCADE"
    )
    text: str = Field(sa_type=Text)
    acknowledged_at: datetime | None = _when()
    created_at: datetime = _created()


class Broadcast(SQLModel, table=True):
    """A campaign: one text to many recipients over one integration."""

    __tablename__ = "broadcasts"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agents.id", index=True, ondelete="CASCADE")
    integration_id: int = Field(foreign_key="integrations.id", ondelete="CASCADE")
    integration_type: str = Field(max_length=32)
    name: str = Field(default="", max_length=200)
    message: str = Field(sa_type=Text)
    status: str = Field(default=BroadcastStatus.PENDING, max_length=32, index=True)
    total: int = 0
    scheduled_at: datetime | None = _when()
    started_at: datetime | None = _when()
    completed_at: datetime | None = _when()
    created_at: datetime = _created()


class OutboxMessage(SQLModel, table=True):
    """One outgoing send, written before it is sent; recipients of broadcasts live here too."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "next_attempt_at"),
        Index("ix_outbox_broadcast", "broadcast_id", "status"),
        Index("ix_outbox_recipient", "integration_id", "recipient", "status"),
        Index("ix_outbox_external", "integration_id", "external_id"),  # delivery reports name it
        {"sqlite_autoincrement": True},  # ids are never reused
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    integration_id: int = Field(foreign_key="integrations.id", index=True, ondelete="CASCADE")
    recipient: str = Field(max_length=200)  # remote id on the channel
    text: str = Field(sa_type=Text)
    kind: str = Field(default="reply", max_length=32)  # reply, away, manager, broadcast, follow_up
    conversation_id: int | None = Field(
        default=None, foreign_key="conversations.id", ondelete="SET NULL"
    )
    message_id: int | None = Field(default=None, foreign_key="messages.id", ondelete="SET NULL")
    broadcast_id: int | None = Field(default=None, foreign_key="broadcasts.id", ondelete="CASCADE")
    status: str = Field(default=OutboxStatus.PENDING, max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = _created()
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = _when()
    attempt_started_at: datetime | None = _when()  # campaign rows: set just before the channel call
    last_error: str | None = Field(default=None, sa_type=Text)
    parts_sent: int = 0  # a long text goes out in parts; a retry resends only the rest
    external_id: str | None = Field(default=None, max_length=200)  # channel's message id
    # What the channel reported after the send (webhooks): sent, delivered, read or failed.
    delivery_status: str | None = Field(default=None, max_length=16)
    sent_at: datetime | None = _when()
    created_at: datetime = _created()


class DeadLetter(SQLModel, table=True):
    """An inbound update that failed every time it was handled: kept with its error, then skipped."""

    __tablename__ = "dead_letters"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: int | None = Field(default=None, primary_key=True)
    integration_id: int = Field(foreign_key="integrations.id", index=True, ondelete="CASCADE")
    external_id: str | None = Field(default=None, max_length=200)  # update id, message id
    payload: dict = _json()  # the raw update as the channel sent it
    error: str = Field(sa_type=Text)
    attempts: int = 0
    created_at: datetime = _created()


class Lease(SQLModel, table=True):
    """A named lease held by one server process (leader for pollers and scheduler ticks)."""

    __tablename__ = "leases"

    name: str = Field(primary_key=True, max_length=100)
    owner: str = Field(max_length=100)
    expires_at: datetime = _created()
