"""One configured logger for the platform, with secrets redacted from every line and traceback."""

from __future__ import annotations

import logging
import re
import sys
import traceback

LOGGER_NAME = "ai_agents"

_SECRET_PATTERNS = [
    re.compile(r"sk-[A-Za-z0-9_\-]{8,}"),  # OpenAI-style keys
    re.compile(r"(?<!\d)(\d++:)[A-Za-z0-9_\-]{30,}"),  # Telegram bot tokens (the bot id is kept); linear
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._\-~+/=]{8,}"),
    re.compile(r"(?i)(access_token=)[^&\s]+"),
]


def redact(text: str) -> str:
    """Replace anything that looks like a key or token with a mask."""
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(lambda m: (m.group(1) if m.groups() else "") + "***", text)
    return text


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask secrets in a record's message, its exception text (traceback) and stack."""
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed log call must not crash its caller nor leak
        message = f"{record.msg} (arguments that do not fit the message: {record.args!r})"
        record.msg, record.args = message, None
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and not record.exc_text:
        record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


class RedactingFilter(logging.Filter):
    """Masks secrets in the message and traceback of every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def _install_redacting_record_factory() -> None:
    """Redact every record of the process when it is made: library loggers (telegram, httpx,
    asyncio, the server's) reach handlers we do not own."""
    current = logging.getLogRecordFactory()
    if getattr(current, "_ai_agents", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        return redact_record(current(*args, **kwargs))

    factory._ai_agents = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (servers and test runners swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        if self.stream is not sys.stderr:
            self.stream = sys.stderr  # not setStream(): it flushes the old one, maybe closed by now
        super().emit(record)


def get_logger(name: str = "") -> logging.Logger:
    """The platform logger, or a child of it."""
    return logging.getLogger(f"{LOGGER_NAME}.{name}" if name else LOGGER_NAME)


def configure_logging(level: str = "INFO") -> None:
    """Send platform logs to stderr once; quiet chatty libraries that log URLs with tokens."""
    _install_redacting_record_factory()
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
