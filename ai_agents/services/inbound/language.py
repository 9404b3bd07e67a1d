"""Language of short customer chat messages (lingua and fastText, restricted to the supported languages)."""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import threading
import unicodedata
from dataclasses import dataclass

from ai_agents.services.inbound.language_models import ACCURACY_MODES, AccuracyMode, LanguageModel, build_model

# ISO 639-1 codes the detector chooses from. Restricted on purpose: lingua's high-accuracy models
# cost ~25 MB of RAM per language that shares its script with another supported language
# (all 75 languages: ~1.2 GB; this set: ~320 MB once the parse garbage is trimmed), and a smaller
# candidate set is also more accurate on short texts (no ms/id, mr/hi, be/ru, nn/es confusions).
# Languages with a script of their own (he, el, hi, th, ko, ja, zh) are decided by lingua's rules
# and cost almost nothing.
SUPPORTED_LANGUAGES: tuple[str, ...] = (
    "en",
    "es",
    "pt",
    "fr",
    "de",
    "it",
    "nl",
    "pl",
    "tr",
    "id",
    "vi",  # Latin script
    "ru",
    "uk",  # Cyrillic
    "ar",
    "fa",  # Arabic script
    "he",
    "el",
    "hi",
    "th",
    "ko",
    "ja",
    "zh",  # own script
)

MIN_LETTERS = 3  # fewer letters than this (CJK characters count double) carry no language
MIN_CONFIDENCE = 0.15  # probability of the best language, below it: undetermined
MIN_MARGIN = 0.05  # best minus runner-up probability, below it: a tie, undetermined
MIN_SINGLE_WORD_CONFIDENCE = 0.5  # one-word messages ("Hello", "merci") need more evidence
SWITCH_CONFIDENCE = 0.3  # conversation_language: default confidence needed to switch language
MIN_SWITCH_WORDS = 3  # conversation_language: shorter messages never switch the language
SWITCH_RATIO = 2.0  # conversation_language: new language must be this many times the old one
MAX_CHARS = 1000  # only the beginning of long messages is examined

# Chat tokens and commerce words used as-is in every language: a message made only of them
# ("ok", "thx", "order #4521", "ok 👍") says nothing about the customer's language.
NEUTRAL_TOKENS = frozenset(
    "ok okay okey oki k kk thx tnx ty np pls plz lol lmao omg xd hm hmm mmm haha hahaha hehe "
    "wow brb btw idk asap fyi order id sms pdf vip email link promo".split()
)

_TLDS = "com|net|org|info|biz|io|co|app|shop|store|me|ru|ua|de|fr|es|it|br|pt|tr|uk|us|ai"
# Customer text: every pattern is linear. Possessive quantifiers (++, *+) never give back what they took,
# and the e-mail and domain alternatives only start where a token or a dotted name starts, so no
# position is scanned more than a bounded number of times (the old `\S+@\S+\.\w+` was cubic on "@@@...").
_URL = re.compile(
    r"(?i:https?://|www\.)\S++"  # a URL: to the end of its token
    r"|(?<!\S)[^\s@]++@[^\s@]*?\.\w\S*+"  # a token holding an e-mail address, whole
    # bare domains only in lower case, so "Gracias.Es urgente" is not a URL
    rf"|(?<![\w.-])(?:[a-z0-9-]++\.(?=[a-z0-9-]))++(?:{_TLDS})\b(?:/\S*+)?"
)
_MENTION_OR_TAG = re.compile(r"[@#]\w+")
_APOSTROPHES = "'’"


@dataclass(frozen=True)
class Detection:
    """The language of one message; ``language`` is None when undetermined."""

    language: str | None
    confidence: float


_UNDETERMINED = Detection(None, 0.0)
_lock = threading.RLock()
_detector: LanguageModel | None = None


@dataclass(frozen=True)
class DetectorChoice:
    """Which languages the detector chooses from, and which models decide (language_models)."""

    languages: tuple[str, ...] = SUPPORTED_LANGUAGES
    accuracy: AccuracyMode = "balanced"


_choice = DetectorChoice()


def configure_detector(languages: tuple[str, ...] | list[str], *, accuracy: AccuracyMode = "balanced") -> None:
    """Set the candidate languages (empty: SUPPORTED_LANGUAGES) and the models (ACCURACY_MODES); the
    runtime calls this once at start. Unknown codes or modes raise ValueError naming them."""
    from lingua import IsoCode639_1

    global _choice, _detector
    codes = tuple(dict.fromkeys(code.lower() for code in languages)) or SUPPORTED_LANGUAGES
    unknown = [code for code in codes if not hasattr(IsoCode639_1, code.upper())]
    if unknown:
        raise ValueError(f"DETECT_LANGUAGES: unknown language code(s) {', '.join(unknown)}; expected ISO 639-1 codes")
    if accuracy not in ACCURACY_MODES:
        raise ValueError(f"LANGUAGE_ACCURACY: {accuracy!r} is not one of {', '.join(ACCURACY_MODES)}")
    choice = DetectorChoice(codes, accuracy)
    with _lock:
        if choice != _choice:
            _choice, _detector = choice, None


def _build_detector() -> LanguageModel:
    """The model of the configured choice, with its models loaded."""
    detector = build_model(_choice.languages, _choice.accuracy)
    # lingua loads its models lazily per script; one text per shared script with words of 5+
    # letters loads them all now, so later calls are fast. (Preloading would also load the models
    # of single-script languages, which lingua's rules never need: ~65 MB more in high accuracy.)
    for sample in ("Hello, where is my order?", "Здравствуйте, где заказ?", "مرحبا، أين طلبي؟"):
        detector.ranked(sample)
    _return_freed_heap()
    return detector


def _return_freed_heap() -> None:
    """Give back the heap lingua freed while parsing its models (glibc keeps it: 40-65 MB)."""
    name = ctypes.util.find_library("c")
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    if trim is not None:
        trim(0)


def get_detector() -> LanguageModel:
    """The shared detector, built on first use (about a second; see language_models for its memory)."""
    global _detector
    if _detector is None:
        with _lock:
            if _detector is None:
                _detector = _build_detector()
    return _detector


def is_detector_built() -> bool:
    """Whether the shared detector has been built yet (nothing is built at import time)."""
    return _detector is not None


def _is_cjk(char: str) -> bool:
    """Han ideographs, kana and Hangul syllables: each carries about a syllable or word."""
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
    )


def clean_text(text: str) -> str:
    """Only the words of ``text``: no URLs, e-mails, @mentions, #tags, digits, emoji or punctuation."""
    text = _MENTION_OR_TAG.sub(" ", _URL.sub(" ", text[:MAX_CHARS]))
    kept: list[str] = []
    for char in text:
        category = unicodedata.category(char)
        if category[0] in "LM" or (char in _APOSTROPHES and kept and kept[-1] != " "):
            kept.append(char)
        elif kept and kept[-1] != " ":
            kept.append(" ")
    words = ("".join(kept)).split()
    return " ".join(word.strip(_APOSTROPHES) for word in words)


def _letter_weight(cleaned: str) -> int:
    return sum(2 if _is_cjk(char) else 1 for char in cleaned if unicodedata.category(char)[0] == "L")


def _word_count(cleaned: str) -> int:
    """Words of a cleaned text; a run of Han/kana characters counts one word per two characters."""
    count = 0
    for token in cleaned.split():
        cjk = sum(1 for char in token if _is_cjk(char) and not 0xAC00 <= ord(char) <= 0xD7AF)
        count += max(1, cjk // 2) if cjk else 1
    return count


def _confidences(cleaned: str) -> list[tuple[str, float]]:
    """(language, probability) best first, for a cleaned, non-empty text."""
    return get_detector().ranked(cleaned)


def _analyse(text: str) -> tuple[Detection, dict[str, float], int]:
    """The detection, every language's probability and the word count of ``text``."""
    cleaned = clean_text(text)
    if _letter_weight(cleaned) < MIN_LETTERS:
        return _UNDETERMINED, {}, 0
    tokens = cleaned.lower().split()
    if all(token in NEUTRAL_TOKENS for token in tokens):
        return _UNDETERMINED, {}, 0
    ranked = _confidences(cleaned)
    if not ranked:
        return _UNDETERMINED, {}, 0
    best, confidence = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    words = _word_count(cleaned)
    needed = MIN_SINGLE_WORD_CONFIDENCE if words == 1 else MIN_CONFIDENCE
    language = best if confidence >= needed and confidence - runner_up >= MIN_MARGIN else None
    return Detection(language, round(confidence, 4)), dict(ranked), words


def detect_language(text: str) -> Detection:
    """The ISO 639-1 language of a chat message, or None when it cannot be told.

    Undetermined (``language`` None) when, after dropping URLs, e-mails, @mentions, #tags, digits,
    emoji and punctuation, fewer than MIN_LETTERS letters remain, when every word is a
    language-neutral chat token ("ok", "thx", "lol", "order"), when the best language's probability
    is below MIN_CONFIDENCE (MIN_SINGLE_WORD_CONFIDENCE for one word), or when the runner-up is
    within MIN_MARGIN of it. ``confidence`` is the model's probability of the best language (0 when
    nothing was examined).
    """
    return _analyse(text)[0]


def conversation_language(
    text: str, previous: str | None, *, min_confidence: float = SWITCH_CONFIDENCE
) -> str | None:
    """The language to use for this message of a conversation whose language so far is ``previous``.

    The rule, in order:
    1. Undetermined message ("ok", "👍", "si", a tie between languages) -> ``previous``.
    2. No language yet (``previous`` None) -> the detected language.
    3. Detected language is ``previous`` -> ``previous``.
    4. Switch to the detected language only when the message is a clear sentence: at least
       MIN_SWITCH_WORDS words (Han/kana: two characters per word), probability at least
       ``min_confidence``, and at least SWITCH_RATIO times the probability ``previous`` got for
       the same text. Otherwise keep ``previous``: one short word ("gracias", "merci", "Danke")
       or a text that is also plausible in the conversation's language does not flip it.
    """
    detection, probabilities, words = _analyse(text)
    if detection.language is None:
        return previous
    if previous is None or detection.language == previous:
        return detection.language
    clear = (
        words >= MIN_SWITCH_WORDS
        and detection.confidence >= min_confidence
        and detection.confidence >= SWITCH_RATIO * probabilities.get(previous, 0.0)
    )
    return detection.language if clear else previous
