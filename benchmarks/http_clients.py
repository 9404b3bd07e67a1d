"""HTTP client cost: httpx and httpx2 (openai) on httpcore's default backend vs the asyncio backend.

Run: .venv/bin/python -m benchmarks.http_clients [--requests 2000] [--concurrency 20] [--runs 5]
Each client runs in a child process of its own, POSTing a chat completion to the fake OpenAI server
(in this process) from `concurrency` tasks; the figure is the child's CPU per request (user +
system), which is what the platform pays per channel or LLM call. Runs alternate between the
backends, so that a drift of the machine's speed hits both alike.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from benchmarks.common import cpu_seconds, median_figures, run_in_fresh_processes

CLIENTS = ("httpx default", "httpx asyncio", "httpx2 default", "httpx2 asyncio")
BODY = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hello there"}]}


def _client(name: str):
    import httpx
    import httpx2

    from ai_agents.net.transports import httpx2_transport, httpx_transport

    library, backend = name.split()
    if library == "httpx":
        return httpx.AsyncClient(transport=httpx_transport() if backend == "asyncio" else None)
    return httpx2.AsyncClient(transport=httpx2_transport() if backend == "asyncio" else None)


async def _load(name: str, url: str, requests: int, concurrency: int) -> dict:
    async with _client(name) as client:
        await client.post(url, json=BODY)  # connect outside the measured window
        left = iter(range(requests))

        async def worker() -> None:
            for _ in left:
                (await client.post(url, json=BODY)).raise_for_status()

        cpu, started = cpu_seconds(), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return {"cpu_us": (cpu_seconds() - cpu) * 1e6 / requests, "per_s": requests / (time.perf_counter() - started)}



def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--worker", choices=CLIENTS, help="(in the child process) the client to measure")
    parser.add_argument("--url", help="(in the child process) where to POST")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(asyncio.run(_load(args.worker, args.url, args.requests, args.concurrency))))
        return
    from tests.fakes.openai_server import FakeOpenAI

    results: dict[str, list[dict]] = {name: [] for name in CLIENTS}
    with FakeOpenAI() as llm:
        url = llm.base_url + "/v1/chat/completions"
        load = ["--url", url, "--requests", str(args.requests), "--concurrency", str(args.concurrency)]
        for _ in range(args.runs):
            for name in CLIENTS:
                results[name] += run_in_fresh_processes("benchmarks.http_clients", name, 1, load)
    print(f"{args.requests} POSTs from {args.concurrency} tasks, median of {args.runs} runs (client process CPU)")
    medians = {name: median_figures(runs) for name, runs in results.items()}
    for name, figures in medians.items():
        print(f"{name:>15}: {figures['cpu_us']:7.0f} us CPU per request, {figures['per_s']:6.0f} requests/s")
    for library in ("httpx", "httpx2"):
        ratio = medians[f"{library} asyncio"]["cpu_us"] / medians[f"{library} default"]["cpu_us"]
        print(f"{library}: the asyncio backend costs {ratio:.2f}x the CPU of the default one")


if __name__ == "__main__":
    main()
