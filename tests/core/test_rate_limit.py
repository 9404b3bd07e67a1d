"""Token bucket arithmetic on an injected monotonic clock."""

from __future__ import annotations

import pytest

from ai_agents.core.rate_limit import TokenBucket


class Ticker:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_burst_then_rate():
    tick = Ticker()
    bucket = TokenBucket(rate=10, burst=5, now=tick)
    assert sum(bucket.take() for _ in range(8)) == 5
    assert bucket.wait_time() == pytest.approx(0.1)
    tick.t += 0.35
    assert bucket.available() == 3
    tick.t += 100
    assert bucket.available() == 5  # never more than the burst


def test_sustained_rate_over_a_simulated_minute():
    tick = Ticker()
    bucket = TokenBucket(rate=25, burst=1, now=tick)
    sent = 0
    for _ in range(60_000):  # every millisecond for 60 s
        tick.t += 0.001
        sent += bucket.take()
    assert 1499 <= sent <= 1501


def test_invalid_rates_refused():
    with pytest.raises(ValueError):
        TokenBucket(rate=0, burst=1)
