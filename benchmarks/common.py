"""What the benchmark scripts share: a process's memory (peak RSS; RSS, PSS, USS) and API bodies."""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds() -> float:
    """CPU time of this process so far (user + system), in seconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    """Peak resident set size of this process (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def memory_mb(pid: int | str = "self") -> dict[str, float]:
    """Resident (RSS), proportional (PSS) and unique (USS: private pages) memory of a process, MB."""
    fields = {"Rss:": 0, "Pss:": 0, "Private_Clean:": 0, "Private_Dirty:": 0}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        key, value = line.split()[:2]
        if key in fields:
            fields[key] = int(value)
    uss = fields["Private_Clean:"] + fields["Private_Dirty:"]
    return {"rss": fields["Rss:"] / 1024, "pss": fields["Pss:"] / 1024, "uss": uss / 1024}


def parse_worker_args(description: str, choices: list[str], default: str, argv: list[str] | None) -> argparse.Namespace:
    """Arguments of a benchmark measuring named entries in fresh processes: ``names`` (checked
    against ``choices``) and ``worker`` (set in the child process measuring one entry)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--worker", choices=sorted(choices), help=argparse.SUPPRESS)
    parser.add_argument("names", nargs="*", help=f"any of {', '.join(choices)}; default: {default}")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(choices)
    if unknown:
        parser.error(f"unknown name(s): {', '.join(sorted(unknown))}; expected any of {', '.join(choices)}")
    return args


def run_in_fresh_processes(
    module: str, name: str, processes: int, extra_args: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Run ``python -m module --worker name *extra_args`` ``processes`` times; the JSON each printed last."""
    command = [sys.executable, "-m", module, "--worker", name, *extra_args]
    runs = []
    for _ in range(processes):
        completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise SystemExit(f"{name} failed:\n{completed.stderr}")
        runs.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    return runs


def median_figures(runs: list[dict[str, Any]]) -> dict[str, float]:
    """The median over ``runs`` of every float figure they report."""
    keys = [key for key, value in runs[0].items() if isinstance(value, float)]
    return {key: statistics.median(run[key] for run in runs) for key in keys}


def agent_body(openai_url: str, *, translation: bool = False) -> dict:
    """POST /api/agents body: an agent on the fake OpenAI server, translation on or off."""
    settings = {"translation": {"enabled": translation, "source_language": "en"}}
    return {"name": "Bench", "model": "gpt-4o-mini", "api_key": "sk-bench", "base_url": openai_url + "/v1",
            "settings": settings}


def telegram_body(token: str, telegram_url: str) -> dict:
    """POST /api/agents/{id}/integrations body: a bot on the fake Telegram server, pacing lifted
    (the fake has no flood limits, so the platform is what is measured)."""
    return {"type": "telegram", "token": token, "api_base_url": telegram_url,
            "rate_limit_per_second": 1000, "per_chat_rate_limit_per_second": 1000}
