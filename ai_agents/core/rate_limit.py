"""Token buckets: how many sends a channel allows now, and when the next one is allowed."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up; time from a monotonic clock."""

    rate: float
    burst: float
    now: Callable[[], float] = time.monotonic
    tokens: float = field(default=-1.0)
    stamp: float = field(default=0.0)

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("rate must be > 0 and burst >= 1")
        if self.tokens < 0:
            self.tokens = self.burst
        self.stamp = self.now()

    def _refill(self) -> None:
        moment = self.now()
        self.tokens = min(self.burst, self.tokens + (moment - self.stamp) * self.rate)
        self.stamp = moment

    def available(self) -> int:
        self._refill()
        return int(self.tokens)

    def take(self, count: int = 1) -> bool:
        """Use `count` tokens if there are that many."""
        self._refill()
        if self.tokens >= count:
            self.tokens -= count
            return True
        return False

    def give_back(self, count: int = 1) -> None:
        """Return `count` tokens that were taken but not used (never above the burst)."""
        self._refill()
        self.tokens = min(self.burst, self.tokens + count)

    def wait_time(self) -> float:
        """Seconds until one token is available."""
        self._refill()
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate
