"""The dispatcher's send slots: rows in flight, and slots reserved for replies about to be stored."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from ai_agents.services.outbound.send_budget import Candidate


@dataclass(frozen=True)
class Reservation:
    """A send slot and rate tokens held for a reply being stored: its outbox row is written leased
    to `owner` until `until`, and handed to the dispatcher after the commit (no claim of its own)."""

    candidate: Candidate
    owner: str
    until: datetime


class SendSlots:
    """At most `size` sends at once. Thread-safe: replies are stored in worker threads."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._busy = 0
        self._lock = threading.Lock()

    def free(self) -> int:
        with self._lock:
            return max(0, self.size - self._busy)

    def take(self) -> bool:
        """Take a free slot, if there is one."""
        with self._lock:
            if self._busy >= self.size:
                return False
            self._busy += 1
            return True

    def occupy(self, count: int) -> None:
        """Rows claimed for the slots that were free when the claim began: they take them even if
        replies took some meanwhile (then a few more sends than `size` run for a moment)."""
        with self._lock:
            self._busy += count

    def put_back(self, count: int = 1) -> None:
        with self._lock:
            self._busy -= count
