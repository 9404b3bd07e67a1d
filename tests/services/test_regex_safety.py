"""Every regex applied to customer text stays fast on adversarial input of 10,000+ characters (no ReDoS)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import partial

import pytest

from ai_agents import logs
from ai_agents.services.inbound import language, sentiment
from ai_agents.services.outbound import broadcasts
from ai_agents.services.workspace import conversations

LIMIT_SECONDS = 0.05  # generous: linear patterns take ~1 ms here; the cubic URL pattern took 0.4-1 s on 1,000
LENGTH = 20_000
# Shapes that make backtracking patterns explode: long runs of one separator, alternating word/separator
# runs that look like the start of an e-mail, domain, URL or phrase, and phrases repeated without their end.
SEPARATOR_RUNS = ["@", "a@", "a.", "a-", "-.", "a.a@", "a", "1", " ", "\t", ".", "!", "#", "a_", "1:"]
PHRASE_STARTS = ["http://", "www.", "sk-", "keep ", "just great", "not worst ", "want ", "someone ", "i'm "]
UNITS = SEPARATOR_RUNS + PHRASE_STARTS + ["waiting ", "late "]


def _adversarial() -> list[str]:
    texts = [(unit * (LENGTH // len(unit) + 1))[:LENGTH] for unit in UNITS]
    return texts + [text + "x" for text in texts] + ["just great" + "!" * LENGTH + "x", "keep " + "a" * LENGTH]


def _slowest(function: Callable[[str], object]) -> tuple[float, str]:
    """The slowest (best of two runs) time of `function` over the adversarial texts, and its input's start."""
    worst = (0.0, "")
    for text in _adversarial():
        elapsed = min(_timed(function, text) for _ in range(2))
        worst = max(worst, (elapsed, text[:20]))
    return worst


def _timed(function: Callable[[str], object], text: str) -> float:
    started = time.perf_counter()
    function(text)
    return time.perf_counter() - started


def _patterns_of(module) -> list[re.Pattern[str]]:
    return [value for value in vars(module).values() if isinstance(value, re.Pattern)]


SENTIMENT_PATTERNS = [p for ps in sentiment._compiled().values() for p in ps]
SENTIMENT_PATTERNS += [re.compile(p) for p in (*sentiment._SARCASM, *sentiment._IRONIC)]
CUSTOMER_TEXT_PATTERNS = {
    f"{module}[{index}]": pattern
    for module, patterns in {
        "language": _patterns_of(language),
        "sentiment": SENTIMENT_PATTERNS,
        "conversations": _patterns_of(conversations),
        "logs": logs._SECRET_PATTERNS,  # log lines can quote customer text
    }.items()
    for index, pattern in enumerate(patterns)
}


def test_every_module_pattern_is_listed():
    listed = set(CUSTOMER_TEXT_PATTERNS.values())
    assert {language._URL, language._MENTION_OR_TAG, conversations._NUMBER} <= listed
    signal_patterns = sum(len(spec.patterns) for spec in sentiment._SIGNALS.values())
    assert len(SENTIMENT_PATTERNS) == signal_patterns + len(sentiment._SARCASM) + len(sentiment._IRONIC) > 60


@pytest.mark.parametrize("name", sorted(CUSTOMER_TEXT_PATTERNS))
def test_pattern_is_fast_on_adversarial_text(name):
    pattern = CUSTOMER_TEXT_PATTERNS[name]
    elapsed, text = _slowest(lambda t: (list(pattern.finditer(t)), pattern.fullmatch(t)))
    assert elapsed < LIMIT_SECONDS, f"{name} took {elapsed * 1000:.0f} ms on {text!r}..."


# (function, limit): assess also runs VADER, ~30 ms on its MAX_SCORED_CHARS of "not worst not worst ...".
WHOLE_TEXT_FUNCTIONS = {
    "clean_text": (language.clean_text, LIMIT_SECONDS),
    "csv_cell": (conversations._cell, LIMIT_SECONDS),
    "redact": (logs.redact, LIMIT_SECONDS),
    "broadcast_personalise": (partial(broadcasts.personalise, name=None), LIMIT_SECONDS),
    "assess": (sentiment.assess, 5 * LIMIT_SECONDS),
    "assess_with_keywords": (partial(sentiment.assess, extra_keywords=("refund now", "a a")), 5 * LIMIT_SECONDS),
}


@pytest.mark.parametrize("name", sorted(WHOLE_TEXT_FUNCTIONS))
def test_whole_text_functions_are_fast_on_adversarial_text(name):
    function, limit = WHOLE_TEXT_FUNCTIONS[name]
    function("warm up: build caches and load the sentiment lexicon")
    elapsed, text = _slowest(function)
    assert elapsed < limit, f"{name} took {elapsed * 1000:.0f} ms on {text!r}..."
