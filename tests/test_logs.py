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
