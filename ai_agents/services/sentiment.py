"""Customer-message sentiment: VADER score, negative alert and "very negative" escalation from tone plus signals.

Design
------
The score is VADER's compound (-1..1, rounded to 2 decimals) and is what gets logged.
Tone alone cannot order messages by how much they need a human: "This is terrible! I'm
very disappointed!" scores -0.80 (venting), "This is the worst experience ever! I want a
refund immediately!" only -0.66 (a demand). So two questions are answered separately:

Negative alert -- is the customer unhappy?
    alert score = score, minus COMPLAINT_WEIGHT (0.5) when the message carries complaint
    evidence VADER misses (service failures such as "late again", "arrived broken",
    "doesn't work", extreme wording, fraud accusations, sarcasm); negative when
    alert score <= -negative_threshold, or when very negative.  Sarcasm ("Great, another
    delay. Just great.") makes VADER's reading unreliable, so its score counts as 0.

Very negative (escalate) -- does a human need to take over?
    * Decisive signals escalate on their own, whatever the tone: asking for a human
      (manager, supervisor, real person, "escalate this"), legal/regulatory threats,
      chargebacks or bank disputes, and the agent's own escalation_keywords.
    * Otherwise evidence is weighed and escalation needs ESCALATE_POINTS (3):
        tone: score <= -very_negative_threshold: 2, <= -negative_threshold: 1,
              clearly positive (>= +0.5): -1, else 0 (sarcasm: 0);
        fraud accusation (scam, fraud, rip-off): 2;
        refund/compensation demand, cancellation, threat to leave: 1 each;
        extreme wording (worst, unacceptable, disgusting), urgency, repeated failure,
        falling trend (the last three scores all negative, each worse): 1 each.
      So the very_negative_threshold still escalates on the score, but a score past it
      is 2 of 3 points: it needs one more signal.  Pure venting (-0.80, no signal) stays
      an alert; the refund demand (-0.66 + demand + urgency + "worst") escalates.
    Complaint vocabulary is not an escalation signal: it is the same evidence as the tone.

Signals are case-insensitive whole-word regexes.  A signal preceded in its clause (within
four words) by a negation ("I don't want to cancel", "not the worst") does not count,
unless the negation is part of a condition ("if I don't get my money back ...").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

COMPLAINT_WEIGHT = 0.5
CLEARLY_POSITIVE = 0.5
ESCALATE_POINTS = 3
NEGATION_WINDOW = 4
TREND_LENGTH = 3
NEUTRAL_BAND = 0.05  # VADER's conventional neutral zone

DECISIVE = "decisive"
COMPLAINT = "complaint"

# name -> (weight or DECISIVE/COMPLAINT-only, counts as complaint evidence, text for the note, patterns)
_SIGNALS: dict[str, tuple[int | str, bool, str, tuple[str, ...]]] = {
    "human_request": (DECISIVE, False, "asks for a human", (
        r"\b(?:speak|talk|chat)(?:ing)?\s+(?:to|with)\s+(?:(?:a|an|the|your|some|one of your)\s+)?"
        r"(?:(?:real|actual|live|proper)\s+)?(?:human|person|people|manager|supervisor|boss|owner|agent|"
        r"representative|rep|operator|someone|somebody|staff member|team member)\b",
        r"\b(?:someone|somebody|anyone|anybody)\b[^.!?]{0,30}\b(?:talk|speak)\s+(?:to|with)\b",
        r"\b(?:get|put|transfer|connect|pass)\s+me\s+(?:(?:to|through to|with|on to)\s+)?(?:(?:a|an|the|your)\s+)?"
        r"(?:(?:real|actual|live)\s+)?(?:human|person|manager|supervisor|agent|representative|operator)\b",
        r"\b(?:want|need|demand|request)\s+(?:(?:a|an|the|your)\s+)?(?:real\s+)?(?:human|manager|supervisor|person)\b",
        r"\b(?:real|actual|live)\s+(?:human|person|people)\b",
        r"\bescalat(?:e|ing)\b",
        r"\b(?:someone|somebody|a person|a human|your manager|a manager)\b[^.!?]{0,25}\b(?:call|phone|ring)\s+me\b",
    )),
    "legal_threat": (DECISIVE, False, "threatens legal action", (
        r"\b(?:lawyers?|attorneys?|solicitors?|legal action|lawsuit|small claims|consumer protection|"
        r"ombudsman|trading standards|better business bureau|regulator|police)\b",
        r"\bsu(?:e|ing)\s+(?:you|your|the|this|them|u)\b",
        r"\b(?:will|gonna|going to)\s+sue\b",
        r"\b(?:to|in)\s+court\b",
        r"\breport(?:ing)?\s+you\b",
        r"\bfil(?:e|ing)\s+(?:a\s+)?(?:formal\s+)?complaint\s+with\b",
    )),
    "chargeback": (DECISIVE, False, "threatens a chargeback", (
        r"\bcharge\s*-?\s*backs?\b",
        r"\bdisput(?:e|ing|ed)\b[^.!?]{0,25}\b(?:charges?|payments?|transactions?)\b",
        r"\b(?:call|calling|contact|contacting)\s+my\s+bank\b",
    )),
    "accusation": (2, True, "accuses of fraud", (
        r"\b(?:scams?|scammers?|scammed|fraud|fraudulent|fraudsters?|rip\s*-?\s*off|ripped\s+(?:me\s+)?off|"
        r"thie(?:f|ves)|stole|stealing|theft|con artists?)\b",
        r"\b(?:took|kept|keeping|stole)\s+my\s+money\b",
    )),
    "refund_demand": (1, False, "asks for a refund", (
        r"\b(?:want|need|demand|demanding|expect|request|requesting|deserve|insist on|give me|send me|get|"
        r"issue|return|ask(?:ing)? for)\b[^.!?]{0,25}\b(?:refund|reimburse(?:ment|d)?|compensation|"
        r"money back|my money)\b",
        r"\brefund\s+(?:me|my money|everything|it all)\b",
        r"\bfull refund\b",
    )),
    "cancellation": (1, False, "wants to cancel", (
        r"\b(?:cancel|cancell?ing|terminate|terminating|close|closing|delete|deleting)\s+(?:my|our|the|this)\s+"
        r"(?:whole\s+|entire\s+)?(?:account|orders?|subscription|membership|plan|contract|service)\b",
    )),
    "churn_threat": (1, False, "threatens to leave", (
        r"\bnever\b[^.!?]{0,30}\bagain\b",
        r"\btak(?:e|ing)\s+my\s+business\s+elsewhere\b",
        r"\b(?:switch|switching|go|going|move|moving)\s+to\s+(?:a|another|your)\s+competitors?\b",
        r"\blast\s+time\s+i\b[^.!?]{0,15}\b(?:order|buy|use|book|shop|come)",
        r"\b(?:bad|negative|one[- ]star|1[- ]star)\s+reviews?\b",
        r"\breviews?\s+everywhere\b",
    )),
    "superlative": (1, True, "extreme wording", (
        r"\bworst\b",
        r"\b(?:disgusting|unacceptable|outrageous|appalling|atrocious|pathetic|disgrace(?:ful)?|shameful|"
        r"ridiculous|useless|incompetent)\b",
        r"\b(?:a|an absolute|a complete|a total)\s+joke\b",
        r"\b(?:fed up|had enough|sick and tired|sick of)\b",
        r"\bi(?:'m| am)\s+(?:so\s+|completely\s+)?done(?:\s+with\s+(?:you|this|your \w+))?\s*[.!]",
    )),
    "urgency": (1, False, "urgent", (
        r"\b(?:immediately|right now|right away|asap|a\.s\.a\.p|urgent|urgently|at once|this instant|without delay)\b",
        r"\b(?:want|need|demand|expect)\b[^.!?]{0,40}\b(?:now|today|tonight)\b",
        r"\bby\s+(?:today|tonight|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day|end of (?:the )?day)\b",
    )),
    "repeated_failure": (1, True, "repeated failure", (
        r"\b(?:second|third|fourth|fifth|tenth|\d+(?:st|nd|rd|th))\s+time\b",
        r"\b(?:twice|(?:two|three|four|five|six|several|many|multiple|countless|\d+)\s+times)\b",
        r"\bstill\s+(?:no|not|nothing|waiting|haven't|hasn't|didn't|doesn't|don't|isn't|can't|broken|missing)\b",
        r"\b(?:yet\s+)?another\s+(?:delay|mistake|error|problem|issue|excuse|failure|broken|wrong|missing)\b",
        r"\b(?:late|wrong|broken|missing|delayed|damaged|failed|crashed)\b[^.!?]{0,20}\bagain\b",
        r"\bkeeps?\s+\w+ing\b",
        r"\b(?:nobody|no one|noone)\s+(?:is\s+)?(?:answer(?:s|ing)?|repl(?:ies|ied|ying)|respond(?:s|ed|ing)?|"
        r"help(?:s|ing)?|called back)\b",
        r"\bwaiting\b[^.!?]{0,12}\b(?:\d+|two|three|four|five|several|many)\s+(?:hours|days|weeks|months)\b",
    )),
    "complaint": (COMPLAINT, True, "complains", (
        r"\b(?:disappoint(?:ed|ing|ment)|unhappy|dissatisfied|annoy(?:ed|ing)|frustrat(?:ed|ing)|upset|angry|"
        r"furious|complain(?:ts?|ing)?|poor|bad|awful|terrible|horrible|rude|dirty|broken|broke|damaged|"
        r"defective|faulty|ruined|wrong|missing|overcharged|double[- ]charged|crash(?:es|ed|ing)?|confusing|hate)\b",
        r"\bnot\s+(?:happy|satisfied|impressed|good enough|acceptable|ok|okay)\b",
        r"\b(?:doesn't|does not|didn't|did not|won't|isn't|is not|not)\s+(?:work|working|arrive|arrived|load|let me)\b",
        r"\b(?:stopped|stops)\s+working\b",
        r"\bnever\s+(?:arrived|came|showed up|received)\b",
        r"\b(?:was|were|is|are|arrived|came)\s+(?:\w+\s+)?(?:cold|late|delayed)\b",
        r"\blost\s+(?:my|the|our)\s+(?:order|parcel|package|luggage|delivery)\b",
        r"\btaking\s+forever\b",
        r"\b(?:so|too|really|very)\s+(?:hard|difficult)\s+to\b",
        r"\b(?:quality|service|standards?|portions?)\b[^.!?]{0,20}\b(?:dropped|declined|worse|got smaller)\b",
    )),
}

_SARCASM = (
    r"\bthanks? (?:you )?for nothing\b",
    r"\byeah,? right\b",
    r"\bjust (?:great|perfect|wonderful|brilliant|fantastic|lovely)\s*[.!]*\s*$",
)
# A praise interjection opening a clause ("Great, ...", "Oh perfect, ...") in a message that complains.
_IRONIC_OPENER = r"(?:^|[.!?]\s*)(?:oh,?\s+)?(?:great|perfect|wonderful|brilliant|fantastic|lovely|awesome)\s*[,!.]"

_NEGATORS = frozenset({
    "not", "no", "never", "nothing", "don't", "dont", "do not", "doesn't", "didn't", "won't", "wouldn't",
    "isn't", "is not", "wasn't", "aren't", "haven't", "hasn't", "can't", "cannot", "shouldn't", "without",
})
_CONDITIONS = frozenset({"if", "unless"})


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
    return {name: tuple(re.compile(p) for p in spec[3]) for name, spec in _SIGNALS.items()}


@lru_cache(maxsize=64)
def _keyword_patterns(keywords: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    out = []
    for keyword in keywords:
        words = _normalise(keyword).split()
        if words:
            out.append((" ".join(words), re.compile(r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)")))
    return tuple(out)


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'").replace("\u2018", "'").lower()).strip()


def score_text(text: str) -> float:
    """VADER compound score of `text`, -1 (negative) .. 1 (positive), rounded to 2 decimals."""
    return round(float(_analyzer().polarity_scores(text)["compound"]), 2)


def _negated(text: str, start: int) -> bool:
    """True when a negation precedes position `start` within its clause and the last few words."""
    clause = re.split(r"[.!?;:,]|\bbut\b", text[:start])[-1]
    words = re.findall(r"[a-z']+", clause)[-NEGATION_WINDOW:]
    pairs = [" ".join(words[i:i + 2]) for i in range(len(words) - 1)]
    for i, word in enumerate(words):
        if word in _NEGATORS or (i < len(pairs) and pairs[i] in _NEGATORS):
            return not any(w in _CONDITIONS for w in words[:i])
    return False


def _found(text: str, patterns: Iterable[re.Pattern[str]]) -> bool:
    return any(not _negated(text, m.start()) for p in patterns for m in p.finditer(text))


def _sarcastic(text: str, complains: bool) -> bool:
    if any(re.search(p, text) for p in _SARCASM):
        return True
    return complains and re.search(_IRONIC_OPENER, text) is not None


def _falling(scores: Sequence[float]) -> bool:
    last = list(scores[-TREND_LENGTH:])
    return (
        len(last) == TREND_LENGTH
        and all(s < -NEUTRAL_BAND for s in last)
        and all(b < a for a, b in zip(last, last[1:]))
    )


def assess(
    text: str,
    *,
    negative_threshold: float = 0.5,
    very_negative_threshold: float = 0.75,
    extra_keywords: Sequence[str] = (),
    recent_scores: Sequence[float] = (),
) -> SentimentVerdict:
    """Score `text` and decide alert/escalation; `recent_scores` are earlier customer scores, oldest first."""
    score = score_text(text)
    norm = _normalise(text)
    signals = [name for name, patterns in _compiled().items() if _found(norm, patterns)]
    keywords = [kw for kw, pattern in _keyword_patterns(tuple(extra_keywords)) if _found(norm, [pattern])]
    if keywords:
        signals.append("keyword")
    if _falling([*recent_scores, score]):
        signals.append("falling_trend")
    complains = any(_SIGNALS[s][1] for s in signals if s in _SIGNALS)
    sarcastic = _sarcastic(norm, complains)
    if sarcastic:
        signals.append("sarcasm")

    base = 0.0 if sarcastic else score
    decisive = [s for s in signals if s == "keyword" or (s in _SIGNALS and _SIGNALS[s][0] == DECISIVE)]
    points = _tone_points(base, negative_threshold, very_negative_threshold) + sum(
        _weight(s) for s in signals
    )
    very_negative = bool(decisive) or points >= ESCALATE_POINTS
    alert_score = base - COMPLAINT_WEIGHT if (complains or sarcastic) else base
    negative = very_negative or alert_score <= -negative_threshold
    return SentimentVerdict(
        score=score,
        negative=negative,
        very_negative=very_negative,
        signals=tuple(signals),
        reason=_reason(score, negative, very_negative, signals, keywords),
    )


def _tone_points(score: float, negative_threshold: float, very_negative_threshold: float) -> int:
    if score <= -very_negative_threshold:
        return 2
    if score <= -negative_threshold:
        return 1
    return -1 if score >= CLEARLY_POSITIVE else 0


def _weight(signal: str) -> int:
    if signal == "falling_trend":
        return 1
    weight = _SIGNALS[signal][0] if signal in _SIGNALS else 0
    return weight if isinstance(weight, int) else 0


def _reason(score: float, negative: bool, very_negative: bool, signals: list[str], keywords: list[str]) -> str:
    notes = {"falling_trend": "getting worse over the conversation", "sarcasm": "sarcastic"}
    parts = []
    for signal in signals:
        if signal == "keyword":
            parts.append("mentions " + ", ".join(f'"{kw}"' for kw in keywords))
        else:
            parts.append(notes.get(signal) or _SIGNALS[signal][2])
    head = "very negative" if very_negative else "negative" if negative else "not negative"
    return f"{head} ({score:+.2f})" + (": " + ", ".join(parts) if parts else "")
