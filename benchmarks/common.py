"""What the benchmark scripts share: the process's peak resident memory."""

from __future__ import annotations

from pathlib import Path


def peak_rss_mb() -> float:
    """Peak resident set size of this process (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def agent_body(openai_url: str, *, translation: bool = False) -> dict:
    """POST /api/agents body: an agent on the fake OpenAI server, translation on or off."""
    settings = {"translation": {"enabled": translation, "source_language": "en"}}
    return {"name": "Bench", "model": "gpt-4o-mini", "api_key": "sk-bench", "base_url": openai_url + "/v1",
            "settings": settings}


def telegram_body(token: str, telegram_url: str) -> dict:
    """POST /api/agents/{id}/integrations body: a bot on the fake Telegram server, pacing lifted
    (the fake has no flood limits, so the platform is what is measured)."""
    return {"type": "telegram", "token": token, "api_base_url": telegram_url,
            "rate_limit_per_second": 1000, "per_chat_rate_limit_per_second": 1000}
