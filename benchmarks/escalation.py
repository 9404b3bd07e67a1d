"""Escalation and negative-alert precision/recall of services.sentiment vs a score-only VADER baseline."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from ai_agents.services.inbound.sentiment import assess, score_text

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "sentiment.jsonl"
LABELS = ("positive", "neutral", "negative", "escalate")
OUTCOMES = ("none", "alert", "escalate")  # what the platform does with a message
BASELINE_ALERT, BASELINE_ESCALATE = -0.5, -0.75  # the default thresholds applied to the score alone

Predictor = Callable[[str], str]


@dataclass(frozen=True)
class Scores:
    """Precision/recall of one predictor on one labelled set."""

    escalation_precision: float
    escalation_recall: float
    alert_precision: float
    alert_recall: float
    confusion: Counter[tuple[str, str]]


def load(path: Path = DATA) -> list[tuple[str, str]]:
    """(text, label) pairs of a JSON-lines file with "text" and "label"."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            rows.append((item["text"], item["label"]))
    return rows


def method(text: str) -> str:
    """services.sentiment with default settings."""
    verdict = assess(text)
    return "escalate" if verdict.very_negative else "alert" if verdict.negative else "none"


def baseline(text: str) -> str:
    """Score only: escalate at <= -0.75, alert at <= -0.5."""
    score = score_text(text)
    return "escalate" if score <= BASELINE_ESCALATE else "alert" if score <= BASELINE_ALERT else "none"


def _ratio(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def evaluate(rows: Iterable[tuple[str, str]], predict: Predictor) -> Scores:
    """Score `predict` on labelled rows; an alert is any outcome but "none" (escalations alert too)."""
    confusion: Counter[tuple[str, str]] = Counter((label, predict(text)) for text, label in rows)
    esc_tp = confusion[("escalate", "escalate")]
    esc_pred = sum(n for (_, out), n in confusion.items() if out == "escalate")
    esc_gold = sum(n for (label, _), n in confusion.items() if label == "escalate")
    unhappy = ("negative", "escalate")
    alert_tp = sum(n for (label, out), n in confusion.items() if label in unhappy and out != "none")
    alert_pred = sum(n for (_, out), n in confusion.items() if out != "none")
    alert_gold = sum(n for (label, _), n in confusion.items() if label in unhappy)
    return Scores(
        escalation_precision=_ratio(esc_tp, esc_pred),
        escalation_recall=_ratio(esc_tp, esc_gold),
        alert_precision=_ratio(alert_tp, alert_pred),
        alert_recall=_ratio(alert_tp, alert_gold),
        confusion=confusion,
    )


def report(name: str, scores: Scores) -> str:
    """Human-readable figures and confusion table (rows: label, columns: outcome)."""
    lines = [
        f"== {name}",
        f"escalation  precision {scores.escalation_precision:.2f}  recall {scores.escalation_recall:.2f}",
        f"alert       precision {scores.alert_precision:.2f}  recall {scores.alert_recall:.2f}",
        f"{'label/outcome':<16}" + "".join(f"{o:>10}" for o in OUTCOMES),
    ]
    for label in LABELS:
        lines.append(f"{label:<16}" + "".join(f"{scores.confusion[(label, o)]:>10}" for o in OUTCOMES))
    return "\n".join(lines)


def misses(rows: Iterable[tuple[str, str]], predict: Predictor) -> list[str]:
    """Rows whose outcome disagrees with the label (escalation or alert wise)."""
    wrong = []
    for text, label in rows:
        outcome = predict(text)
        escalation_ok = (outcome == "escalate") == (label == "escalate")
        alert_ok = (outcome != "none") == (label in ("negative", "escalate"))
        if not (escalation_ok and alert_ok):
            wrong.append(f"  {label:>8} -> {outcome:<8} {text}")
    return wrong


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=DATA, help="JSON lines with text and label")
    parser.add_argument("--misses", action="store_true", help="list the messages the method gets wrong")
    args = parser.parse_args(argv)
    rows = load(args.data)
    counts = Counter(label for _, label in rows)
    print(f"{len(rows)} messages from {args.data}: " + ", ".join(f"{counts[k]} {k}" for k in LABELS))
    print(report("method: services.sentiment.assess (defaults)", evaluate(rows, method)))
    print(report("baseline: VADER score only (escalate <= -0.75, alert <= -0.5)", evaluate(rows, baseline)))
    if args.misses:
        print("method misses:", *misses(rows, method), sep="\n")


if __name__ == "__main__":
    main()
