"""Which API key and endpoint an agent's LLM calls use (replies and translations alike)."""

from __future__ import annotations

from ai_agents.config import Settings
from ai_agents.db.models import Agent
from ai_agents.services.context import AppContext

OPENAI_URL = "https://api.openai.com/v1"


def same_url(first: str | None, second: str | None) -> bool:
    return (first or "").rstrip("/") == (second or "").rstrip("/")


def default_key_applies(settings: Settings, base_url: str | None) -> bool:
    """OPENAI_API_KEY may stand in for an agent's key only on the default endpoint
    (OPENAI_BASE_URL, or OpenAI's when unset): never on a host an agent names itself."""
    if not settings.openai_api_key:
        return False
    return not base_url or same_url(base_url, settings.openai_base_url or OPENAI_URL)


def llm_access(ctx: AppContext, agent: Agent) -> tuple[str | None, str | None]:
    """The agent's (API key, base URL). OPENAI_API_KEY stands in for an agent without a key only
    on the default endpoint (OPENAI_BASE_URL, or OpenAI's): never on a host the agent names. An
    unreadable key (SECRET_KEY changed) gives None: it must be entered again."""
    key, _readable = ctx.box.readable(agent.api_key_encrypted)
    if agent.api_key_encrypted is None and default_key_applies(ctx.settings, agent.base_url):
        key = ctx.settings.openai_api_key
    return key or None, agent.base_url or ctx.settings.openai_base_url or None


def missing_key_reason(ctx: AppContext, agent: Agent) -> str:
    """Why `llm_access` found no key for the agent, in words a person can act on."""
    if agent.api_key_encrypted is not None:
        return "the agent's API key cannot be read (SECRET_KEY changed?): enter it again"
    if ctx.settings.openai_api_key:
        return (f"the agent has no API key, and OPENAI_API_KEY is only sent to the default endpoint, "
                f"not to {agent.base_url}: give the agent its own key")
    return "the agent has no API key and OPENAI_API_KEY is not set"
