"""Logging: secrets are redacted, one line per event, libraries that print tokens are quiet."""

from __future__ import annotations

import logging

from ai_agents.logs import configure_logging, get_logger, redact


def test_redacts_keys_and_tokens():
    line = redact(
        "key sk-abcdefghijklmnop token 123456789:AAEhBOweik6ad9r_QXMENQjcrGbqCr4K-bo "
        "Authorization: Bearer abcdefghijkl url?access_token=EAAB123&x=1"
    )
    assert "abcdefghijklmnop" not in line and "AAEhBOweik" not in line
    assert "Bearer ***" in line and "access_token=***&x=1" in line


def test_configured_logger_prints_each_event_once_and_redacted(capsys):
    configure_logging("INFO")
    configure_logging("INFO")  # a second start (hot reload) adds no second handler
    get_logger("test").info("✅ Agent created: X with sk-abcdefghijklmnopqrst")
    err = capsys.readouterr().err
    assert err.count("✅ Agent created: X") == 1
    assert "sk-abcdefghijklmnopqrst" not in err
    assert logging.getLogger("httpx").level >= logging.WARNING


BOT_TOKEN = "2002:AAintegrationtesttokenvalue00000002"
KEY = "sk-proj-abcdefghijklmnop1234"


def test_short_bot_ids_and_tokens_inside_urls_are_redacted():
    line = redact(f"POST https://api.telegram.org/bot{BOT_TOKEN}/getMe failed; key {KEY}")
    assert BOT_TOKEN not in line and "AAintegration" not in line and KEY not in line
    assert "bot2002:***/getMe" in line


def test_exception_text_and_traceback_are_redacted(capsys):
    configure_logging("INFO")
    try:
        raise RuntimeError(f"The token `{BOT_TOKEN}` was rejected; key {KEY}")
    except RuntimeError:
        get_logger("test").exception("❌ Something failed")
    err = capsys.readouterr().err
    assert "❌ Something failed" in err and "Traceback" in err and "RuntimeError" in err
    assert BOT_TOKEN not in err and KEY not in err and "AAintegration" not in err


def test_records_of_library_loggers_are_redacted_too():
    """Other handlers (the server's, a library's) see redacted records: the text is masked when
    the record is made, message and traceback alike."""
    configure_logging("INFO")
    seen: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = seen.append  # type: ignore[method-assign]
    library = logging.getLogger("some.library")
    library.addHandler(handler)
    try:
        try:
            raise ValueError(f"bad url /bot{BOT_TOKEN}/getUpdates")
        except ValueError:
            library.error("request to %s failed", f"/bot{BOT_TOKEN}/getUpdates", exc_info=True)
    finally:
        library.removeHandler(handler)
    formatted = logging.Formatter().format(seen[0])
    assert "request to /bot2002:***/getUpdates failed" in formatted and "ValueError" in formatted
    assert BOT_TOKEN not in formatted


def test_a_malformed_log_call_neither_crashes_nor_leaks(capsys):
    configure_logging("INFO")
    get_logger("test").warning("two values %s %s", f"only one: {KEY}")
    err = capsys.readouterr().err
    assert "two values" in err and "do not fit" in err and KEY not in err
