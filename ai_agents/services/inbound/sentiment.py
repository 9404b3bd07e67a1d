"""Customer-message sentiment: VADER score, negative alert, and escalation from tone plus intent signals.

The score is VADER's compound (-1..1, 2 decimals), the value that gets logged.  Tone alone cannot
rank the need for a human: "This is terrible! I'm very disappointed!" (-0.80) is venting, "This is
the worst experience ever! I want a refund immediately!" (-0.66) is a demand.  Hence two questions:

negative (alert) -- is the customer unhappy?
    score <= -negative_threshold, where customer-service complaint evidence that VADER underrates
    ("late again", "arrived broken", "doesn't work", extreme wording, fraud claims, sarcasm) lowers
    the score by COMPLAINT_WEIGHT (0.5) for this test only (the logged score stays VADER's); a
    sarcastic message ("Great, another delay. Just great.") counts as score 0, VADER reading its
    praise literally.  Escalations always alert.

very_negative (escalate) -- does a human need to take over?
    * Decisive signals escalate alone, whatever the tone: asking for a human (manager, supervisor,
      real person, "escalate this"), legal or regulatory threats, chargebacks/bank disputes, and the
      agent's escalation_keywords.
    * Otherwise points are summed and ESCALATE_POINTS (3) escalate:
        tone   2 if score <= -very_negative_threshold, 1 if <= -negative_threshold,
               -1 if clearly positive (>= 0.5), else 0 (0 when sarcastic);
        2      fraud accusation (scam, fraud, rip-off, "took my money");
        1 each refund/compensation demand, cancellation, threat to leave, extreme wording (worst,
               unacceptable, disgusting, fed up), urgency, repeated failure, falling trend (the last
               three scores, this one included, all negative and each worse than the one before).
      So very_negative_threshold still acts on the score, but a score past it is 2 of the 3 points
      and needs one signal more: venting (-0.80, no signal) alerts; the refund demand (-0.66, 1 +
      refund + urgency + "worst") escalates.  Plain complaint vocabulary adds no points: it is the
      same evidence as the tone.

Signals are case-insensitive whole-word regexes over the lower-cased text.  A match preceded in its
clause, within four words, by a negation ("I don't want to cancel", "not the worst") does not count,
unless a condition comes first ("if I don't get my money back ...").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ai_agents.services.inbound.escalation_signals import (
    _CONDITIONS,
    _EXTRA,
    _IRONIC,
    _NEGATORS,
    _SARCASM,
    _SIGNALS,
)

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

COMPLAINT_WEIGHT = 0.5
CLEARLY_POSITIVE = 0.5
ESCALATE_POINTS = 3
NEGATION_WINDOW = 4
LOOKBACK_CHARS = 120  # enough for NEGATION_WINDOW words; keeps long texts linear
TREND_LENGTH = 3
NEUTRAL_BAND = 0.05  # VADER's conventional neutral zone
MAX_SCORED_CHARS = 2000  # VADER is quadratic in length; longer texts are scored on their start
MAX_SIGNAL_CHARS = 4096  # signals are looked for in this much (a whole Telegram message); linear patterns


@dataclass(frozen=True)
class SentimentVerdict:
    """The assessment of one customer message."""

    score: float
    negative: bool
    very_negative: bool
    signals: tuple[str, ...]
    reason: str


@lru_cache(maxsize=1)
def _analyzer() -> SentimentIntensityAnalyzer:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _compiled() -> dict[str, tuple[re.Pattern[str], ...]]:
    return {name: tuple(map(re.compile, spec.patterns)) for name, spec in _SIGNALS.items()}


@lru_cache(maxsize=64)
def _keyword_patterns(keywords: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    out: list[tuple[str, re.Pattern[str]]] = []
    for keyword in keywords:
        if words := _normalise(keyword).split():
            joined = r"\s+".join(map(re.escape, words))
            out.append((" ".join(words), re.compile(rf"(?<!\w){joined}(?!\w)")))
    return tuple(out)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("\u2018", "'").lower()).strip()


def score_text(text: str) -> float:
    """VADER compound score of `text` (its first MAX_SCORED_CHARS), -1 .. 1, rounded to 2 decimals."""
    return round(float(_analyzer().polarity_scores(text[:MAX_SCORED_CHARS])["compound"]), 2)


def _negated(text: str, start: int) -> bool:
    """A negation precedes `start` in its clause, within NEGATION_WINDOW words, and no condition precedes it."""
    clause = re.split(r"[.!?;:,]|\bbut\b", text[max(0, start - LOOKBACK_CHARS) : start])[-1]
    words = re.findall(r"[a-z']+", clause)[-NEGATION_WINDOW:]
    for i, word in enumerate(words):
        if word in _NEGATORS or " ".join(words[i : i + 2]) in _NEGATORS:
            return not _CONDITIONS.intersection(words[:i])
    return False


def _found(text: str, patterns: Iterable[re.Pattern[str]]) -> bool:
    return any(not _negated(text, m.start()) for p in patterns for m in p.finditer(text))


def _sarcastic(text: str, complains: bool) -> bool:
    if any(re.search(p, text) for p in _SARCASM):
        return True
    return complains and any(re.search(p, text) for p in _IRONIC)


def _falling(scores: Sequence[float]) -> bool:
    last = list(scores[-TREND_LENGTH:])
    worse = all(b < a for a, b in zip(last, last[1:]))
    return len(last) == TREND_LENGTH and worse and all(s < -NEUTRAL_BAND for s in last)


def _tone_points(score: float, negative_threshold: float, very_negative_threshold: float) -> int:
    if score <= -very_negative_threshold:
        return 2
    if score <= -negative_threshold:
        return 1
    return -1 if score >= CLEARLY_POSITIVE else 0


def assess(
    text: str,
    *,
    negative_threshold: float = 0.5,
    very_negative_threshold: float = 0.75,
    extra_keywords: Sequence[str] = (),
    recent_scores: Sequence[float] = (),
) -> SentimentVerdict:
    """Score `text` and decide alert and escalation; `recent_scores`: earlier customer scores, oldest first."""
    score = score_text(text)
    norm = _normalise(text[:MAX_SIGNAL_CHARS])
    signals = [name for name, patterns in _compiled().items() if _found(norm, patterns)]
    keywords = [kw for kw, pattern in _keyword_patterns(tuple(extra_keywords)) if _found(norm, [pattern])]
    if keywords:
        signals.append("keyword")
    if _falling([*recent_scores, score]):
        signals.append("falling_trend")
    specs = {**_SIGNALS, **_EXTRA}
    if _sarcastic(norm, any(specs[s].complaint for s in signals)):
        signals.append("sarcasm")

    base = 0.0 if "sarcasm" in signals else score
    points = _tone_points(base, negative_threshold, very_negative_threshold)
    points += sum(specs[s].weight for s in signals)
    very_negative = any(specs[s].decisive for s in signals) or points >= ESCALATE_POINTS
    complains = any(specs[s].complaint for s in signals)
    negative = very_negative or base - (COMPLAINT_WEIGHT if complains else 0.0) <= -negative_threshold

    notes = [specs[s].note for s in signals if s != "keyword"]
    if keywords:
        notes.insert(signals.index("keyword"), "mentions " + ", ".join(f'"{kw}"' for kw in keywords))
    head = "very negative" if very_negative else "negative" if negative else "not negative"
    reason = f"{head} ({score:+.2f})" + (": " + ", ".join(notes) if notes else "")
    return SentimentVerdict(score, negative, very_negative, tuple(signals), reason)
