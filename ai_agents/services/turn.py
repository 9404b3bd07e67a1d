"""One customer message on its way through the pipeline stages, and the replies they decide."""

from __future__ import annotations

from dataclasses import dataclass, field

from ai_agents.db.models import Agent, Alert, Conversation, Message
from ai_agents.services.agent_settings import AgentSettings


@dataclass(frozen=True)
class Reply:
    """A text to send: kind (reply, away), as the customer gets it, and in the agent's language."""

    kind: str
    text: str
    translation: str | None = None


@dataclass
class Turn:
    """One customer message being handled, with what the stages decide about it."""

    conversation: Conversation
    message: Message
    agent: Agent
    settings: AgentSettings
    history: list[Message] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    stop_reason: str | None = None
