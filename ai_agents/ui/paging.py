"""Paging shared by the list pages (offset and total, the summary, previous and next), and the
bounded window of a conversation's messages that Live Chat scrolls through (pure arithmetic)."""

from __future__ import annotations

import reflex as rx

PAGE_SIZE = 50
# Messages a conversation's pane holds at most. Reflex sends the whole list on each change, and
# the browser draws every bubble: 200 (four pages of 50, several screens) keeps each update small
# while a reader rarely waits for a page; past it, the far end of the window is dropped.
WINDOW = 200


class Paged(rx.State, mixin=True):
    """A page of `PAGE_SIZE` rows out of `total`; the page state reloads itself in `_load`."""

    total: int = 0
    offset: int = 0

    async def _load(self) -> None:
        raise NotImplementedError

    @rx.event
    async def next_page(self):
        if self.offset + PAGE_SIZE < self.total:
            self.offset += PAGE_SIZE
            await self._load()

    @rx.event
    async def previous_page(self):
        self.offset = max(0, self.offset - PAGE_SIZE)
        await self._load()

    @rx.var
    def page_summary(self) -> str:
        if not self.total:
            return "none"
        return f"{self.offset + 1}-{min(self.offset + PAGE_SIZE, self.total)} of {self.total}"

    @rx.var
    def has_next(self) -> bool:
        return self.offset + PAGE_SIZE < self.total

    @rx.var
    def has_previous(self) -> bool:
        return self.offset > 0


def with_older(shown: list[dict], older: list[dict], window: int = WINDOW) -> tuple[list[dict], bool]:
    """An older page put before the shown messages; the newest beyond `window` dropped (and True
    when some were: newer messages now exist outside the window)."""
    merged = older + shown
    return merged[:window], len(merged) > window


def with_newer(shown: list[dict], newer: list[dict], window: int = WINDOW) -> tuple[list[dict], bool]:
    """A newer page put after the shown messages; the oldest beyond `window` dropped (True if any)."""
    merged = shown + newer
    return merged[-window:], len(merged) > window


def with_tail(shown: list[dict], tail: list[dict], page: int, window: int = WINDOW) -> tuple[list[dict], bool]:
    """The conversation's latest `page` messages laid over a window that shows the latest: updated
    rows replaced, new ones added, the oldest beyond `window` dropped. When the tail does not reach
    back to what is shown (more than a page came in), it replaces the window: no silent gap.
    Returns the window and whether older messages exist outside it (because of this call)."""
    if shown and len(tail) == page and tail[0]["id"] > shown[-1]["id"]:
        return tail, True
    fresh = {m["id"]: m for m in tail}
    merged = [fresh.pop(m["id"], m) for m in shown]
    merged += [m for m in tail if m["id"] in fresh]
    return merged[-window:], len(merged) > window
