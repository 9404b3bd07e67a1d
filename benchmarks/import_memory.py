"""Memory each heavy dependency costs to import in a fresh interpreter, and what the app module pulls in."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import memory_mb

ROOT = Path(__file__).resolve().parents[1]
PROCESSES = 3  # fresh interpreters per entry; figures are the median over them

# name -> the code run in a fresh interpreter (the cost is the memory it adds).
ENTRIES: dict[str, str] = {
    "lingua": "import lingua",
    "vaderSentiment": "from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer",
    "vader+analyzer": "from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer as S; S()",
    "openai": "import openai; from openai import AsyncOpenAI",
    "telegram": "from telegram import Bot, Message, Update",
    "sqlalchemy": "import sqlalchemy, sqlalchemy.orm",
    "sqlmodel": "import sqlmodel",
    "httpx": "import httpx",
    "fastapi": "import fastapi",
    "apscheduler": "from apscheduler.schedulers.asyncio import AsyncIOScheduler",
    "reflex": "import reflex",
    "granian": "import granian, granian.server",
    "schemathesis": "import schemathesis",
    "langdetect": "import langdetect",
    "app module": "import ai_agents.ai_agents",  # what Reflex's supervisor imports before forking
}
# Top-level packages looked for in sys.modules after the app module is imported.
WATCHED = tuple(
    "lingua vaderSentiment openai telegram sqlalchemy sqlmodel httpx fastapi apscheduler reflex granian "
    "schemathesis hypothesis langdetect alembic psycopg pydantic starlette socketio redis rich playwright".split()
)


def measure(name: str) -> dict[str, object]:
    """Run entry ``name`` here (a fresh interpreter) and return the memory it added."""
    before = memory_mb()
    started = time.perf_counter()
    exec(ENTRIES[name], {})  # noqa: S102  (fixed code from ENTRIES)
    seconds = time.perf_counter() - started
    after = memory_mb()
    loaded = sorted(package for package in WATCHED if package in sys.modules)
    return {"seconds": seconds, **{kind: after[kind] - before[kind] for kind in before}, "loaded": loaded}


def run_worker(name: str) -> dict[str, object]:
    """Median figures of entry ``name`` over PROCESSES fresh interpreters."""
    command = [sys.executable, "-m", "benchmarks.import_memory", "--worker", name]
    runs = []
    for _ in range(PROCESSES):
        completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise SystemExit(f"{name} failed:\n{completed.stderr}")
        runs.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    figures = {key: statistics.median(run[key] for run in runs) for key in ("seconds", "rss", "uss", "pss")}
    return {**figures, "loaded": runs[0]["loaded"]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", choices=sorted(ENTRIES), help=argparse.SUPPRESS)
    parser.add_argument("entries", nargs="*", help=f"any of {', '.join(ENTRIES)}; default: all")
    args = parser.parse_args(argv)
    unknown = set(args.entries) - set(ENTRIES)
    if unknown:
        parser.error(f"unknown entr(ies): {', '.join(sorted(unknown))}")
    if args.worker:
        print(json.dumps(measure(args.worker)))
        return
    baseline = memory_mb()
    print(f"a bare interpreter (this one, benchmarks.common loaded): RSS {baseline['rss']:.0f} MB\n")
    print(f"{'import':<16}{'RSS':>8}{'USS':>8}{'PSS':>8}{'time':>8}   (growth, MB)")
    app_loaded: list[str] = []
    for name in args.entries or list(ENTRIES):
        r = run_worker(name)
        print(f"{name:<16}{r['rss']:>8.1f}{r['uss']:>8.1f}{r['pss']:>8.1f}{r['seconds']:>7.2f}s")
        if name == "app module":
            app_loaded = list(r["loaded"])  # type: ignore[arg-type]
    if app_loaded:
        print(f"\nimported by `import ai_agents.ai_agents`: {', '.join(app_loaded)}")
        print(f"not imported by it: {', '.join(p for p in WATCHED if p not in app_loaded)}")
    print(f"\nfigures: median over {PROCESSES} fresh interpreters; entries share dependencies, so they do not add up")


if __name__ == "__main__":
    main()
