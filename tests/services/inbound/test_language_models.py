"""Tests for ai_agents.services.inbound.language_models: the blend of lingua's trigrams and fastText."""

from __future__ import annotations

import pytest

from ai_agents.services.inbound.language import SUPPORTED_LANGUAGES, clean_text
from ai_agents.services.inbound.language_models import (
    BlendedModel,
    LinguaModel,
    build_model,
    fasttext_model_path,
)


@pytest.fixture(scope="module")
def blended() -> BlendedModel:
    return BlendedModel(SUPPORTED_LANGUAGES)


def best(ranked: list[tuple[str, float]]) -> str:
    return ranked[0][0]


def test_fasttext_model_ships_with_the_requirements() -> None:
    path = fasttext_model_path()
    assert path.name == "lid.176.ftz" and path.stat().st_size > 500_000


@pytest.mark.parametrize(
    ("text", "expected", "fasttext_alone", "lingua_alone"),
    [
        # fastText's compact model takes this Ukrainian for Russian; lingua's trigrams do not
        ("Дякую за допомогу", "uk", "ru", "uk"),
        # lingua's trigrams take this English for German; fastText does not
        ("Hi, where is my order?", "en", "en", "de"),
    ],
)
def test_the_blend_corrects_either_model(
    blended: BlendedModel, text: str, expected: str, fasttext_alone: str, lingua_alone: str
) -> None:
    cleaned = clean_text(text)
    fasttext = blended._fasttext_ranked(cleaned)
    assert max(fasttext, key=fasttext.__getitem__) == fasttext_alone
    assert best(LinguaModel.of(SUPPORTED_LANGUAGES, low_accuracy=True).ranked(cleaned)) == lingua_alone
    assert best(blended.ranked(cleaned)) == expected


def test_probabilities_are_best_first_and_at_most_one(blended: BlendedModel) -> None:
    ranked = blended.ranked(clean_text("Bonjour, où est ma commande ? Cela fait une semaine."))
    values = [value for _, value in ranked]
    assert ranked[0][0] == "fr" and values == sorted(values, reverse=True)
    assert 0.9 < sum(values) <= 1.0 + 1e-9


def test_a_text_in_a_language_outside_the_candidates_stays_unlikely() -> None:
    model = BlendedModel(("en", "ru"))
    spanish = clean_text("Hola amigo, ¿cómo estás hoy? Necesito ayuda con mi pedido")
    assert model.ranked(spanish)[0][1] < 0.15  # below MIN_CONFIDENCE: undetermined
    assert model.ranked(clean_text("Hello friend, how are you today? I need help with my order"))[0][1] > 0.9


def test_each_mode_builds_its_model() -> None:
    assert isinstance(build_model(("en", "es"), "balanced"), BlendedModel)
    for mode in ("high", "low"):
        model = build_model(("en", "es"), mode)
        assert isinstance(model, LinguaModel) and best(model.ranked("where is my order please")) == "en"
