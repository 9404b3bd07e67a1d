"""httpx and httpx2 transports whose connections run on the asyncio network backend."""

from __future__ import annotations

from typing import Any

import httpcore
import httpcore2
import httpx
import httpx2

from ai_agents.net.asyncio_backend import AsyncioBackend


def httpx_transport(**options: Any) -> httpx.AsyncHTTPTransport:
    """An httpx transport (python-telegram-bot, the Graph API) on the asyncio backend; `options`
    are httpx.AsyncHTTPTransport's (limits, retries, ...). A client given a transport ignores its
    own `limits`: pass them here."""
    transport = httpx.AsyncHTTPTransport(**options)
    _use_asyncio(transport._pool, httpcore)
    return transport


def httpx2_transport(**options: Any) -> httpx2.AsyncHTTPTransport:
    """The same for httpx2, the HTTP client of the openai library."""
    transport = httpx2.AsyncHTTPTransport(**options)
    _use_asyncio(transport._pool, httpcore2)
    return transport


def _use_asyncio(pool: Any, errors: Any) -> None:
    """httpx's transports take no network backend, so the pool they made gets it before its first
    connection (the pool hands its backend to each connection it opens)."""
    if pool.connections:
        raise RuntimeError("the pool has connections already")
    pool._network_backend = AsyncioBackend(errors)
