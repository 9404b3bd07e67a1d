"""Memory each heavy dependency costs to import in a fresh interpreter, and what the app module pulls in."""

from __future__ import annotations

import json
import sys
import time

from benchmarks.common import median_figures, memory_mb, parse_worker_args, run_in_fresh_processes

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
    runs = run_in_fresh_processes("benchmarks.import_memory", name, PROCESSES)
    return {**median_figures(runs), "loaded": runs[0]["loaded"]}


def main(argv: list[str] | None = None) -> None:
    args = parse_worker_args(__doc__ or "", list(ENTRIES), "all", argv)
    if args.worker:
        print(json.dumps(measure(args.worker)))
        return
    baseline = memory_mb()
    print(f"a bare interpreter (this one, benchmarks.common loaded): RSS {baseline['rss']:.0f} MB\n")
    print(f"{'import':<16}{'RSS':>8}{'USS':>8}{'PSS':>8}{'time':>8}   (growth, MB)")
    app_loaded: list[str] = []
    for name in args.names or list(ENTRIES):
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
