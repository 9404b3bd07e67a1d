"""Compare language detector options on tests/data/languages.jsonl: accuracy, latency, memory."""

from __future__ import annotations

import ctypes
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, median_figures, memory_mb, parse_worker_args, run_in_fresh_processes

DATASET = ROOT / "tests" / "data" / "languages.jsonl"
RUNS = 5  # timed passes over the dataset in one process; latency is the median over them
PROCESSES = 3  # fresh processes per option; every figure reported is the median over them
FEW = ("en", "es", "ru")

Detect = Callable[[str], str | None]

# name -> (languages: "supported" | "all" | comma-separated codes, mode, description).
# Modes: "current" = language.py's own detector (lazy + warm-up); "high" = language.py with
# LANGUAGE_ACCURACY=high; "lazy" = lingua's default
# (models load per language on demand); "preloaded" = with_preloaded_language_models();
# "low" = with_low_accuracy_mode() (trigram models only, lazy).
OPTIONS: dict[str, tuple[str, str, str]] = {
    "langdetect": ("", "", "langdetect 1.0.9, DetectorFactory.seed = 0, raw best guess"),
    "current": ("supported", "current", "language.py as it is: 22 languages, lingua low + fastText blended"),
    "high": ("supported", "high", "22 languages, lingua high accuracy, lazy + warm-up (LANGUAGE_ACCURACY=high)"),
    "preloaded": ("supported", "preloaded", "22 languages, high accuracy, every model preloaded"),
    "low": ("supported", "low", "22 languages, low-accuracy mode"),
    "few": (",".join(FEW), "lazy", f"{'+'.join(FEW)} only, high accuracy, lazy"),
    "few-low": (",".join(FEW), "low", f"{'+'.join(FEW)} only, low-accuracy mode"),
    "six": ("en,es,pt,fr,de,it", "lazy", "en+es+pt+fr+de+it only, high accuracy, lazy"),
    "eight": ("en,es,pt,fr,de,it,ru,uk", "lazy", "six + ru+uk, high accuracy, lazy"),
    "all-low": ("all", "low", "all 75 lingua languages, low-accuracy mode"),
    "all": ("all", "preloaded", "all 75 lingua languages, high accuracy, preloaded (~1.2 GB)"),
}
DEFAULT_OPTIONS = [name for name in OPTIONS if name != "all"]


def load_dataset(path: Path = DATASET) -> list[tuple[str, str | None]]:
    """(text, ISO 639-1 code or None) pairs of the dataset."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(row["text"], row["lang"]) for row in rows]


def option_languages(name: str) -> tuple[str, ...] | None:
    """The languages option ``name`` can answer, or None for any language."""
    from ai_agents.services.inbound.language import SUPPORTED_LANGUAGES

    languages = OPTIONS[name][0]
    if languages in ("", "all"):
        return None
    return SUPPORTED_LANGUAGES if languages == "supported" else tuple(languages.split(","))


def _build_langdetect() -> Detect:
    from langdetect import DetectorFactory, detect
    from langdetect.detector_factory import init_factory
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    init_factory()  # loads the profiles now instead of on the first detect()

    def run(text: str) -> str | None:
        try:
            code = detect(text)
        except LangDetectException:  # no usable features ("123", "👍")
            return None
        return code.split("-")[0]  # zh-cn, zh-tw -> zh

    return run


def _build_lingua(name: str) -> Detect:
    """language.detect_language (cleaning, thresholds) running on the detector of option ``name``."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    from ai_agents.services.inbound import language
    from ai_agents.services.inbound.language_models import LinguaModel

    mode = OPTIONS[name][1]
    if mode in ("current", "high"):
        language.configure_detector([], accuracy="balanced" if mode == "current" else "high")
        language.get_detector()
    else:
        codes = option_languages(name)
        if codes is None:
            builder = LanguageDetectorBuilder.from_all_languages()
        else:
            builder = LanguageDetectorBuilder.from_iso_codes_639_1(
                *(getattr(IsoCode639_1, code.upper()) for code in codes)
            )
        if mode == "preloaded":
            builder = builder.with_preloaded_language_models()
        elif mode == "low":
            builder = builder.with_low_accuracy_mode()
        language._detector = LinguaModel(builder.build())  # what get_detector() returns from now on
    return lambda text: language.detect_language(text).language


def measure(name: str) -> dict[str, Any]:
    """Build one option and measure it; run in a fresh process so its memory is its own."""
    dataset = load_dataset()
    import ai_agents.services.inbound.language  # noqa: F401  (stdlib only; lingua is not imported yet)

    before = memory_mb()
    started = time.perf_counter()
    detect = _build_langdetect() if name == "langdetect" else _build_lingua(name)
    build_seconds = time.perf_counter() - started
    built = memory_mb()
    predictions = [detect(text) for text, _ in dataset]  # first pass: loads lazy models, gives accuracy
    after = memory_mb()
    ctypes.CDLL("libc.so.6").malloc_trim(0)  # hand the heap freed while models were parsed back to the OS
    trimmed = memory_mb()
    run_medians = []
    for _ in range(RUNS):
        timings = []
        for text, _ in dataset:
            tick = time.perf_counter_ns()
            detect(text)
            timings.append(time.perf_counter_ns() - tick)
        run_medians.append(statistics.median(timings) / 1000)
    return {
        "name": name,
        "predictions": predictions,
        "median_us": statistics.median(run_medians),
        "build_s": build_seconds,
        **{f"{kind}_build": built[kind] - before[kind] for kind in before},
        **{f"{kind}_total": after[kind] - before[kind] for kind in before},
        "pss_trimmed": trimmed["pss"] - before["pss"],
    }


def run_worker(name: str) -> dict[str, Any]:
    """Measure ``name`` in PROCESSES fresh interpreters; the median of every figure."""
    runs = run_in_fresh_processes("benchmarks.language_detection", name, PROCESSES)
    return {**median_figures(runs), "name": name, "predictions": runs[0]["predictions"]}


def score(name: str, predictions: list[str | None], dataset: list[tuple[str, str | None]]) -> dict[str, Any]:
    """Accuracy of ``predictions``: on the messages in the option's languages, and what the rest got."""
    languages = option_languages(name)
    in_scope: list[tuple[str | None, str | None]] = []
    out_of_scope: list[str | None] = []
    for (_, lang), got in zip(dataset, predictions):
        if lang is None or languages is None or lang in languages:
            in_scope.append((lang, got))
        else:
            out_of_scope.append(got)
    per_language: dict[str, list[int]] = {}
    for lang, got in in_scope:
        counts = per_language.setdefault(lang or "none", [0, 0])
        counts[0] += got == lang
        counts[1] += 1
    return {
        "correct": sum(lang == got for lang, got in in_scope),
        "scored": len(in_scope),
        "out_of_scope": len(out_of_scope),
        "out_of_scope_named": sum(got is not None for got in out_of_scope),
        "per_language": per_language,
        "confusions": Counter(f"{lang}->{got}" for lang, got in in_scope if got != lang).most_common(),
    }


def print_tables(results: list[dict[str, Any]], dataset: list[tuple[str, str | None]]) -> None:
    scores = {r["name"]: score(r["name"], r["predictions"], dataset) for r in results}
    header = (
        f"{'option':<12}{'accuracy':>17}{'other':>8}{'median':>10}{'build':>8}"
        f"{'RSS':>9}{'USS':>10}{'PSS':>10}{'trimmed':>10}   (growth, MB: built / after one pass)"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        s = scores[r["name"]]
        accuracy = f"{s['correct'] / s['scored']:.1%} {s['correct']}/{s['scored']}"
        other = f"{s['out_of_scope_named']}/{s['out_of_scope']}" if s["out_of_scope"] else "-"
        memory = "".join(f"{r[kind + '_build']:>5.0f}/{r[kind + '_total']:<4.0f}" for kind in ("rss", "uss", "pss"))
        print(f"{r['name']:<12}{accuracy:>17}{other:>8}{r['median_us']:>7.0f} µs{r['build_s']:>7.2f}s  {memory}{r['pss_trimmed']:>6.0f}")
    print("\naccuracy: labelled messages in the option's languages, plus the 'none' messages (must get None);")
    print("trimmed: PSS growth after malloc_trim(0), once every message was detected")
    print("other: messages in a language the option cannot answer that got a (wrong) language / all of them")
    print("\nper language (correct/messages):")
    labels = sorted({lang or "none" for _, lang in dataset})
    print(f"{'':<6}" + "".join(f"{r['name']:>12}" for r in results))
    for label in labels:
        cells = []
        for r in results:
            counts = scores[r["name"]]["per_language"].get(label)
            cells.append(f"{counts[0]}/{counts[1]}" if counts else "-")
        print(f"{label:<6}" + "".join(f"{cell:>12}" for cell in cells))
    print("\nconfusions (expected->got x count; ->None = left undetermined):")
    for r in results:
        pairs = ", ".join(f"{pair} x{count}" for pair, count in scores[r["name"]]["confusions"]) or "none"
        print(f"  {r['name']:<12}{pairs}")
    print("\noptions (lingua options run language.detect_language with that detector swapped in):")
    for r in results:
        print(f"  {r['name']:<12}{OPTIONS[r['name']][2]}")


def main(argv: list[str] | None = None) -> None:
    args = parse_worker_args(__doc__ or "", list(OPTIONS), "all but 'all'", argv)
    if args.worker:
        print(json.dumps(measure(args.worker)))
        return
    started = time.perf_counter()
    results = [run_worker(name) for name in args.names or DEFAULT_OPTIONS]
    dataset = load_dataset()
    languages = len({lang for _, lang in dataset if lang})
    print(f"dataset: {len(dataset)} messages, {languages} languages, {DATASET.relative_to(ROOT)}\n")
    print_tables(results, dataset)
    elapsed = time.perf_counter() - started
    print(f"\nfigures: median over {PROCESSES} fresh processes per option (latency: of the per-message")
    print(f"median of {RUNS} passes); memory grows from before lingua/langdetect is imported; total {elapsed:.0f}s")


if __name__ == "__main__":
    main()
