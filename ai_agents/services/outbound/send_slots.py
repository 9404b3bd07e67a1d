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
            return self.size - self._busy

    def take(self, most: int = 1) -> int:
        """Take up to `most` free slots; returns how many were taken."""
        with self._lock:
            taken = max(0, min(most, self.size - self._busy))
            self._busy += taken
            return taken

    def put_back(self, count: int = 1) -> None:
        with self._lock:
            self._busy -= count
