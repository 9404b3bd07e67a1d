"""The detector's candidate languages and accuracy mode come from the settings (DETECT_LANGUAGES)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ai_agents.config import load_settings
from ai_agents.services.inbound.language import (
    configure_detector,
    detect_language,
    get_detector,
    is_detector_built,
)

SPANISH = "Hola amigo, ¿cómo estás hoy? Necesito ayuda con mi pedido"
RUSSIAN = "Здравствуйте, где мой заказ? Жду уже неделю"


def test_the_detector_chooses_only_from_the_configured_languages() -> None:
    try:
        configure_detector(["en", "ru"])
        assert not is_detector_built()  # a new choice drops the old detector
        assert detect_language(SPANISH).language != "es"
        assert detect_language(RUSSIAN).language == "ru"
        configure_detector(["en", "es"], accuracy="low")
        assert detect_language(SPANISH).language == "es"
    finally:
        configure_detector([])
    assert detect_language(SPANISH).language == "es"
    assert detect_language(RUSSIAN).language == "ru"


def test_unknown_codes_are_refused_and_change_nothing() -> None:
    detector = get_detector()
    with pytest.raises(ValueError, match="DETECT_LANGUAGES: unknown language code.*xx"):
        configure_detector(["en", "xx"])
    assert get_detector() is detector


def test_the_setting_is_a_comma_separated_list_of_codes() -> None:
    assert load_settings(detect_languages="en, RU,es").detect_languages == ["en", "ru", "es"]
    assert load_settings().detect_languages == []
    with pytest.raises(ValidationError, match="DETECT_LANGUAGES entry 'english'"):
        load_settings(detect_languages="english")
    with pytest.raises(ValidationError, match="language_accuracy"):
        load_settings(language_accuracy="medium")
