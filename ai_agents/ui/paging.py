"""Paging shared by the list pages: offset and total, the summary, previous and next."""

from __future__ import annotations

import reflex as rx

PAGE_SIZE = 50


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
