"""Tests for ai_agents.services.inbound.language: dataset accuracy, undetermined texts, conversation stickiness."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from ai_agents.services.inbound import language
from ai_agents.services.inbound.language import (
    SUPPORTED_LANGUAGES,
    Detection,
    clean_text,
    conversation_language,
    detect_language,
    get_detector,
)

ROOT = Path(__file__).resolve().parents[3]
DATASET = ROOT / "tests" / "data" / "languages.jsonl"
ROWS: list[dict] = [json.loads(line) for line in DATASET.read_text(encoding="utf-8").splitlines()]
LABELLED = [row for row in ROWS if row["lang"] is not None]
NULL_TEXTS = [row["text"] for row in ROWS if row["lang"] is None]


@pytest.fixture(scope="module", autouse=True)
def detector() -> None:
    """Build (and warm) the shared detector once for the module."""
    get_detector()


def test_dataset_is_labelled_short_chat_in_enough_languages() -> None:
    texts = [row["text"] for row in ROWS]
    assert len(texts) == len(set(texts)), "duplicate texts"
    assert len(LABELLED) >= 220
    per_language = Counter(row["lang"] for row in LABELLED)
    assert {"en", "es", "pt", "fr", "de", "it", "ru", "uk", "tr", "ar", "zh", "ja"} <= set(per_language)
    assert len(per_language) >= 12
    assert set(per_language) <= set(SUPPORTED_LANGUAGES)
    assert len(NULL_TEXTS) >= 10
    assert all(1 <= len(row["text"].split()) <= 15 for row in LABELLED)


def test_accuracy_on_the_dataset_is_at_least_98_percent() -> None:
    misses = [
        (row["text"], row["lang"], got)
        for row in LABELLED
        if (got := detect_language(row["text"]).language) != row["lang"]
    ]
    accuracy = 1 - len(misses) / len(LABELLED)
    assert accuracy >= 0.98, f"accuracy {accuracy:.3f}; misses: {misses}"


@pytest.mark.parametrize("text", NULL_TEXTS)
def test_texts_without_language_are_undetermined(text: str) -> None:
    assert detect_language(text).language is None


@pytest.mark.parametrize("text", ["", "   ", "si", "no", "👍👍👍", "ok thx lol", "Hello", "merci", "好"])
def test_too_short_or_ambiguous_texts_are_undetermined(text: str) -> None:
    assert detect_language(text).language is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hola, ¿cómo estás?", "es"),
        ("Привет, как дела?", "ru"),  # langdetect says mk
        ("Привіт, як справи?", "uk"),
        ("merci beaucoup", "fr"),
        ("Obrigado pela ajuda", "pt"),
        ("谢谢", "zh"),
        ("ありがとう", "ja"),
        ("@shop_bot where is order #4521? https://shop.example.com/o/4521 thanks", "en"),
    ],
)
def test_plan_examples(text: str, expected: str) -> None:
    detection = detect_language(text)
    assert detection.language == expected
    assert 0 < detection.confidence <= 1


def test_detection_is_a_frozen_value() -> None:
    detection = detect_language("Muchas gracias por tu ayuda")
    assert detection == Detection("es", detection.confidence)
    with pytest.raises(dataclasses.FrozenInstanceError):
        detection.language = "pt"  # type: ignore[misc]


def test_clean_text_keeps_only_words() -> None:
    text = "@bot Hi!! order #12 at www.shop.com/x, mail a@b.com 👍 — l'adresse 10:30 +1 555 0100"
    assert clean_text(text) == "Hi order at mail l'adresse"
    assert clean_text("नमस्ते") == "नमस्ते"  # combining vowel signs stay part of the word


@pytest.mark.parametrize(
    ("text", "previous", "expected"),
    [
        # a short or neutral message keeps the conversation's language
        ("ok", "es", "es"),
        ("si", "es", "es"),
        ("no", "es", "es"),
        ("gracias", "es", "es"),
        ("👍", "en", "en"),
        ("123", "ru", "ru"),
        ("Gracias", "en", "en"),
        ("merci", "en", "en"),
        ("Good morning", "es", "es"),
        ("Спасибо", "uk", "uk"),
        ("谢谢", "en", "en"),
        # still plausible in the conversation's language (pt got more than half of es)
        ("Buenos dias a todos", "pt", "pt"),
        # a clear sentence in another language switches
        ("Hola, ¿dónde está mi pedido?", "en", "es"),
        ("Привет, как дела?", "en", "ru"),
        ("Where is my order?", "es", "en"),
        ("Obrigado pela ajuda", "es", "pt"),
        ("Дякую за допомогу", "ru", "uk"),
        ("送料はいくらですか？", "en", "ja"),
        # no language yet: whatever is detected, even from one word
        ("Gracias", None, "es"),
        ("Hola, ¿cómo estás?", None, "es"),
        ("ok", None, None),
        # same language: nothing to decide
        ("Muchas gracias", "es", "es"),
    ],
)
def test_conversation_language(text: str, previous: str | None, expected: str | None) -> None:
    assert conversation_language(text, previous) == expected


def test_conversation_language_min_confidence_is_respected() -> None:
    text = "Where is my order?"  # en at ~0.44
    assert conversation_language(text, "es", min_confidence=0.3) == "en"
    assert conversation_language(text, "es", min_confidence=0.9) == "es"


def test_importing_the_module_builds_nothing() -> None:
    code = (
        "import sys, ai_agents.services.inbound.language as m; "
        "print(m.is_detector_built(), 'lingua' in sys.modules, 'langdetect' in sys.modules)"
    )
    command = [sys.executable, "-c", code]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False", "False"]


def test_detector_is_built_once_and_shared_across_threads() -> None:
    assert language.is_detector_built()
    seen: list[object] = []
    results: list[str | None] = []

    def work() -> None:
        seen.append(get_detector())
        results.append(detect_language("Привет, как дела?").language)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(detector) for detector in seen}) == 1
    assert results == ["ru"] * 8
