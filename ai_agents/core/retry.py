"""Exponential backoff with full jitter, and splitting long texts for channels with size limits."""

from __future__ import annotations

import random


def backoff_delay(attempt: int, *, base: float = 1.0, cap: float = 60.0, rng=random) -> float:
    """Seconds to wait before retry number `attempt` (1, 2, ...): random in [base/2, min(cap, base*2^(n-1))]."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return rng.uniform(min(base / 2, ceiling), ceiling)


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at paragraph, line or word ends when possible."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces
