"""One customer message on its way through the pipeline stages, and the replies they decide."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ai_agents.db.models import Agent, Alert, Conversation, Message
from ai_agents.logs import redact
from ai_agents.services.agent_settings import AgentSettings

MANUAL_STOP = "manual mode"  # the stop reason of a turn that found the conversation taken over


@dataclass(frozen=True)
class Reply:
    """A text to send: kind (reply, away), as the customer gets it, and in the agent's language."""

    kind: str
    text: str
    translation: str | None = None


@dataclass
class Turn:
    """One customer message being handled, with what the stages decide about it.

    `conversation` is a snapshot taken when the turn started; the stages never write it back.
    What they decide about the conversation goes into `changes` (through `change`), and only
    those fields are stored, on the conversation as it is when the turn ends."""

    conversation: Conversation
    message: Message
    agent: Agent
    settings: AgentSettings
    history: list = field(default_factory=list)  # earlier messages (turn_loader.Earlier), then `message`
    replies: list[Reply] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    changes: dict[str, Any] = field(default_factory=dict)  # conversation fields set by stages
    stop_reason: str | None = None
    failure: str | None = None  # why the message got no reply, when it failed

    def change(self, **fields: Any) -> None:
        """Set conversation fields: visible to later stages, and stored when the turn ends."""
        for name, value in fields.items():
            setattr(self.conversation, name, value)
        self.changes.update(fields)

    def fail(self, reason: str) -> None:
        """End the turn as failed; the reason is shown to people, so secrets are masked."""
        self.failure = redact(reason)
        self.stop_reason = "failed"
