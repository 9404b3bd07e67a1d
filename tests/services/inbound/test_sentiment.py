"""Tests for ai_agents.services.inbound.sentiment: the plan's three messages, signals, negation, trend, dataset figures."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from ai_agents.services.inbound.sentiment import SentimentVerdict, assess, score_text

DATA = Path(__file__).resolve().parents[2] / "data" / "sentiment.jsonl"

HAPPY = "Thank you so much! Great service!"
VENTING = "This is terrible! I'm very disappointed!"
DEMAND = "This is the worst experience ever! I want a refund immediately!"


# --- the user's acceptance plan (negative_threshold 0.5, escalation on) -------------------------


def test_plan_positive_message_is_logged_and_not_alerted() -> None:
    verdict = assess(HAPPY)
    assert verdict.score == pytest.approx(0.82, abs=0.05)
    assert not verdict.negative and not verdict.very_negative
    assert verdict.signals == ()


def test_plan_venting_alerts_without_escalation() -> None:
    verdict = assess(VENTING)
    assert verdict.score <= -0.5
    assert verdict.score <= -0.75  # past very_negative_threshold, yet no escalation signal
    assert verdict.negative and not verdict.very_negative
    assert verdict.reason.startswith("negative (-0.80)")


def test_plan_refund_demand_alerts_and_escalates() -> None:
    verdict = assess(DEMAND)
    assert verdict.score == pytest.approx(-0.66, abs=0.01)
    assert verdict.negative and verdict.very_negative
    assert {"refund_demand", "urgency", "superlative"} <= set(verdict.signals)
    assert verdict.reason == "very negative (-0.66): asks for a refund, extreme wording, urgent"


def test_the_plans_thresholds_are_the_defaults() -> None:
    explicit = assess(VENTING, negative_threshold=0.5, very_negative_threshold=0.75)
    assert explicit == assess(VENTING)


# --- API ----------------------------------------------------------------------------------------


def test_score_text_is_rounded_vader_compound() -> None:
    assert score_text("") == 0.0
    assert score_text(HAPPY) == round(score_text(HAPPY), 2)
    assert -1.0 <= score_text(VENTING) <= 1.0


def test_verdict_is_frozen() -> None:
    verdict = assess(HAPPY)
    assert isinstance(verdict, SentimentVerdict)
    with pytest.raises(dataclasses.FrozenInstanceError):
        verdict.score = 0.0  # type: ignore[misc]


# --- thresholds and signals -----------------------------------------------------------------------


def test_very_negative_threshold_acts_on_score_with_one_signal() -> None:
    text = "This is terrible! I'm very disappointed! I want my money back."  # the venting + a demand
    verdict = assess(text)
    assert verdict.score <= -0.75 and verdict.signals == ("refund_demand", "complaint")
    assert verdict.very_negative  # 2 tone points + 1 signal
    assert not assess(text, very_negative_threshold=0.95).very_negative  # 1 tone point + 1 signal
    assert not assess(VENTING, very_negative_threshold=0.1).very_negative  # the score alone never does


def test_negative_threshold_governs_score_and_complaints() -> None:
    sad = "I'm really sad about this, it hurts."  # -0.76, no complaint vocabulary
    assert assess(sad).negative
    assert not assess(sad, negative_threshold=0.9, very_negative_threshold=0.95).negative
    cold = "The food was cold."  # 0.0 for VADER; the complaint counts as -0.5
    assert assess(cold).negative and "complaint" in assess(cold).signals
    assert not assess(cold, negative_threshold=0.6).negative


@pytest.mark.parametrize(
    ("text", "signal"),
    [
        ("Could I please speak to a manager?", "human_request"),
        ("Get me a REAL PERSON, not a bot!!!", "human_request"),
        ("My lawyer will be in touch.", "legal_threat"),
        ("I'm filing a charge-back with my bank.", "chargeback"),
        ("Please escalate this.", "human_request"),
    ],
)
def test_decisive_signals_escalate_on_their_own(text: str, signal: str) -> None:
    verdict = assess(text)
    assert signal in verdict.signals
    assert verdict.very_negative and verdict.negative


def test_extra_keywords_are_whole_phrases_case_insensitive() -> None:
    text = "Our WEDDING CAKE order, is it ready?"
    assert not assess(text).very_negative
    verdict = assess(text, extra_keywords=["wedding cake", "  "])
    assert verdict.very_negative and "keyword" in verdict.signals
    assert 'mentions "wedding cake"' in verdict.reason
    assert not assess("Our weddings are lovely", extra_keywords=["wedding"]).very_negative
    assert assess("Call me: ASAP-ops!", extra_keywords=["asap-ops"]).very_negative


def test_neutral_and_positive_refund_mentions_do_not_escalate() -> None:
    for text in ("Thanks, I got my refund!", "How long does a refund take?", "What's your refund policy?"):
        verdict = assess(text)
        assert not verdict.very_negative and not verdict.negative, text


@pytest.mark.parametrize(
    "text",
    [
        "I don't want to cancel my subscription, just pause it.",
        "I'm not asking for a refund.",
        "No need to speak to a manager, you fixed it.",
        "It's not the worst, honestly.",
    ],
)
def test_negated_signals_do_not_count(text: str) -> None:
    verdict = assess(text)
    assert not verdict.very_negative
    assert not {"cancellation", "refund_demand", "human_request", "superlative"} & set(verdict.signals)


def test_negation_inside_a_condition_still_counts() -> None:
    verdict = assess("If I don't get my money back I want a refund right now")
    assert "refund_demand" in verdict.signals


def test_sarcasm_alerts_despite_positive_score() -> None:
    verdict = assess("Great, another delay. Just great.")
    assert verdict.score > 0.5
    assert verdict.negative and not verdict.very_negative
    assert "sarcasm" in verdict.signals


def test_complaint_vader_misses_alerts() -> None:
    assert assess("My package is late again.").negative
    assert not assess("Not bad at all, the new version is much faster.").negative


def test_falling_trend_escalates() -> None:
    assert not assess(VENTING, recent_scores=[-0.2, -0.9]).very_negative  # not each worse
    verdict = assess(VENTING, recent_scores=[0.4, -0.3, -0.6])
    assert verdict.very_negative and "falling_trend" in verdict.signals
    assert "getting worse" in verdict.reason


def test_trend_needs_three_negative_messages() -> None:
    assert "falling_trend" not in assess(VENTING, recent_scores=[-0.6]).signals
    assert "falling_trend" not in assess(VENTING, recent_scores=[0.3, 0.1]).signals


# --- labelled data set -----------------------------------------------------------------------------


def _load() -> list[tuple[str, str]]:
    return [(row["text"], row["label"]) for row in map(json.loads, DATA.read_text().splitlines()) if row]


def test_dataset_is_balanced_and_contains_the_plan() -> None:
    rows = _load()
    labels = [label for _, label in rows]
    assert len(rows) >= 80 and labels.count("escalate") >= 15 and labels.count("negative") >= 20
    assert set(labels) == {"positive", "neutral", "negative", "escalate"}
    assert dict(rows)[HAPPY] == "positive" and dict(rows)[VENTING] == "negative" and dict(rows)[DEMAND] == "escalate"
    assert len(set(dict(rows))) == len(rows)


def test_dataset_precision_and_recall() -> None:
    esc_tp = esc_fp = esc_fn = alert_tp = alert_fn = 0
    for text, label in _load():
        verdict = assess(text)
        escalate_gold = label == "escalate"
        esc_tp += verdict.very_negative and escalate_gold
        esc_fp += verdict.very_negative and not escalate_gold
        esc_fn += escalate_gold and not verdict.very_negative
        if label in ("negative", "escalate"):
            alert_tp += verdict.negative
            alert_fn += not verdict.negative
    precision, recall = esc_tp / (esc_tp + esc_fp), esc_tp / (esc_tp + esc_fn)
    alert_recall = alert_tp / (alert_tp + alert_fn)
    assert precision >= 0.85, precision
    assert recall >= 0.85, recall
    assert alert_recall >= 0.9, alert_recall
