"""Compare language detectors on tests/data/languages.jsonl: accuracy, latency, build time, RSS."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DATASET = ROOT / "tests" / "data" / "languages.jsonl"
RUNS = 5  # timed passes over the dataset; the latency reported is the median over them

Detect = Callable[[str], str | None]

CONFIGS: dict[str, str] = {
    "langdetect": "langdetect 1.0.9, DetectorFactory.seed = 0, best guess",
    "lingua-all": "lingua, all 75 languages, high accuracy, models preloaded",
    "lingua-all-low": "lingua, all 75 languages, low-accuracy mode",
    "lingua-supported": "lingua, SUPPORTED_LANGUAGES, high accuracy, models preloaded",
    "lingua-supported-low": "lingua, SUPPORTED_LANGUAGES, low-accuracy mode",
    "platform": "ai_agents.services.inbound.language.detect_language (lingua-supported + cleaning/thresholds)",
}


def load_dataset(path: Path = DATASET) -> list[tuple[str, str | None]]:
    """(text, ISO 639-1 code or None) pairs of the dataset."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(row["text"], row["lang"]) for row in rows]


def rss_mb() -> float:
    """Resident set size of this process, MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


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


def _build_lingua(*, supported: bool, low_accuracy: bool) -> Detect:
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    from ai_agents.services.inbound.language import SUPPORTED_LANGUAGES

    if supported:
        codes = [getattr(IsoCode639_1, code.upper()) for code in SUPPORTED_LANGUAGES]
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
    else:
        builder = LanguageDetectorBuilder.from_all_languages()
    builder = builder.with_low_accuracy_mode() if low_accuracy else builder.with_preloaded_language_models()
    detector = builder.build()

    def run(text: str) -> str | None:
        language = detector.detect_language_of(text)
        return None if language is None else language.iso_code_639_1.name.lower()

    return run


def _build_platform() -> Detect:
    from ai_agents.services.inbound.language import detect_language, get_detector

    get_detector()
    return lambda text: detect_language(text).language


def build(name: str) -> Detect:
    """The detector function of configuration ``name``."""
    if name == "langdetect":
        return _build_langdetect()
    if name == "platform":
        return _build_platform()
    return _build_lingua(supported="supported" in name, low_accuracy=name.endswith("-low"))


def measure(name: str) -> dict[str, Any]:
    """Build one configuration and measure it; run in a fresh process so RSS is its own."""
    dataset = load_dataset()
    rss_before = rss_mb()
    started = time.perf_counter()
    detect = build(name)
    build_seconds = time.perf_counter() - started
    rss_built = rss_mb()
    predictions = [detect(text) for text, _ in dataset]  # warm pass, also the accuracy pass
    run_medians = []
    for _ in range(RUNS):
        timings = []
        for text, _ in dataset:
            tick = time.perf_counter_ns()
            detect(text)
            timings.append(time.perf_counter_ns() - tick)
        run_medians.append(statistics.median(timings) / 1000)
    labelled = [(expected, got) for (_, expected), got in zip(dataset, predictions) if expected]
    nulls = [got for (_, expected), got in zip(dataset, predictions) if expected is None]
    confusions = Counter(f"{expected}->{got}" for expected, got in labelled if got != expected)
    return {
        "name": name,
        "correct": sum(expected == got for expected, got in labelled),
        "labelled": len(labelled),
        "nulls_ok": sum(got is None for got in nulls),
        "nulls": len(nulls),
        "confusions": dict(confusions.most_common()),
        "median_us": statistics.median(run_medians),
        "build_s": build_seconds,
        "rss_build_mb": rss_built - rss_before,
        "rss_total_mb": rss_mb() - rss_before,
    }


def run_worker(name: str) -> dict[str, Any]:
    """Measure ``name`` in a child interpreter and return its result."""
    command = [sys.executable, "-m", "benchmarks.language_detection", "--worker", name]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"{name} failed:\n{completed.stderr}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def print_table(results: list[dict[str, Any]]) -> None:
    header = (
        f"{'detector':<22}{'accuracy':>16}{'nulls->None':>13}{'median':>10}"
        f"{'build':>8}{'RSS build':>11}{'RSS total':>11}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        accuracy = f"{r['correct'] / r['labelled']:.1%} {r['correct']}/{r['labelled']}"
        print(
            f"{r['name']:<22}{accuracy:>16}{r['nulls_ok']:>8}/{r['nulls']:<4}"
            f"{r['median_us']:>7.0f} µs{r['build_s']:>7.2f}s"
            f"{r['rss_build_mb']:>8.0f} MB{r['rss_total_mb']:>8.0f} MB"
        )
    print("\nconfusions (expected->got x count; ->None = left undetermined):")
    for r in results:
        pairs = ", ".join(f"{pair} x{count}" for pair, count in r["confusions"].items()) or "none"
        print(f"  {r['name']:<22}{pairs}")
    print("\nconfigurations:")
    for name, description in CONFIGS.items():
        print(f"  {name:<22}{description}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", choices=sorted(CONFIGS), help=argparse.SUPPRESS)
    parser.add_argument("configs", nargs="*", help=f"any of {', '.join(CONFIGS)}; default: all")
    args = parser.parse_args(argv)
    unknown = set(args.configs) - set(CONFIGS)
    if unknown:
        parser.error(f"unknown configuration(s): {', '.join(sorted(unknown))}")
    if args.worker:
        print(json.dumps(measure(args.worker)))
        return
    names = args.configs or list(CONFIGS)
    started = time.perf_counter()
    results = [run_worker(name) for name in names]
    dataset = load_dataset()
    languages = len({lang for _, lang in dataset if lang})
    print(f"dataset: {len(dataset)} messages, {languages} languages, {DATASET.relative_to(ROOT)}\n")
    print_table(results)
    elapsed = time.perf_counter() - started
    print(f"\nlatency: median over {RUNS} runs of the per-message median; total {elapsed:.0f}s")


if __name__ == "__main__":
    main()
