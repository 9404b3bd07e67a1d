"""One configured logger for the platform, with secrets redacted from every line."""

from __future__ import annotations

import logging
import re
import sys

LOGGER_NAME = "ai_agents"

_SECRET_PATTERNS = [
    re.compile(r"sk-[A-Za-z0-9_\-]{8,}"),  # OpenAI-style keys
    re.compile(r"\b\d{5,}:[A-Za-z0-9_\-]{30,}"),  # Telegram bot tokens
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-~+/=]{8,}"),
    re.compile(r"(?i)(access_token=)[^&\s]+"),
]


def redact(text: str) -> str:
    """Replace anything that looks like a key or token with a mask."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "***", text)
    return text


class RedactingFilter(logging.Filter):
    """Masks secrets in the final message of every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (servers and test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        if self.stream is not sys.stderr:
            self.setStream(sys.stderr)
        super().emit(record)


def get_logger(name: str = "") -> logging.Logger:
    """The platform logger, or a child of it."""
    return logging.getLogger(f"{LOGGER_NAME}.{name}" if name else LOGGER_NAME)


def configure_logging(level: str = "INFO") -> None:
    """Send platform logs to stderr once; quiet chatty libraries that log URLs with tokens."""
    root = logging.getLogger(LOGGER_NAME)
    root.setLevel(level)
    if not any(getattr(h, "_ai_agents", False) for h in root.handlers):
        handler = _StderrHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(RedactingFilter())
        handler._ai_agents = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.propagate = False  # one line per event, whatever handlers the server adds to root
    # httpx logs every request URL at INFO, and Telegram URLs carry the bot token.
    for noisy in ("httpx", "httpx2", "httpcore", "telegram", "apscheduler", "openai"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
