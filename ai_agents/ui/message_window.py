"""The open conversation's messages as a bounded window: older and newer pages, the latest, live.

At most WINDOW messages are kept in state (Reflex sends the whole list on each change): scrolling
up drops the newest from the window, scrolling down the oldest; while the person reads older
messages, new ones are counted (`unseen`) instead of moving the view.
"""

from __future__ import annotations

from typing import NamedTuple

import reflex as rx

from ai_agents.core.errors import AppError
from ai_agents.services.workspace import conversations
from ai_agents.ui.components.rows import message_row
from ai_agents.ui.paging import WINDOW, with_newer, with_older, with_tail
from ai_agents.ui.platform import call_service

TAIL = 50  # messages shown on opening, and loaded per "older" or "newer" step (at most WINDOW kept)


class Window(NamedTuple):
    """What a pane shows: a fresh read of it applies only while it is still the same."""

    conversation_id: int
    reading_older: bool  # has_newer: the window does not reach the latest message
    first_id: int
    last_id: int
    newest_id: int


class MessageWindow(rx.State, mixin=True):
    """The window of the conversation `selected_id`; the page state shows the conversation itself
    (header, notes) in `_show(view)` and reports errors in `error`."""

    selected_id: int = 0
    messages: list[dict] = []  # at most WINDOW messages, oldest first
    has_older: bool = False
    has_newer: bool = False  # the window does not reach the latest message (the person reads older ones)
    newest_id: int = 0  # the newest message the window has reached; `unseen` came after it
    unseen: int = 0
    latest_jumps: int = 0  # counts the times the latest page was shown: the pane scrolls to the newest
    error: str = ""

    def _show(self, view: dict) -> None:
        raise NotImplementedError

    def _show_latest(self, messages: list[dict]) -> None:
        """The latest page (read with one more, to know if older ones exist), scrolled to the newest."""
        self.has_older = len(messages) > TAIL
        self.messages = [message_row(m) for m in messages[-TAIL:]]
        self.has_newer, self.unseen = False, 0
        self.newest_id = self.messages[-1]["id"] if self.messages else 0
        self.latest_jumps += 1

    @rx.event
    async def load_older(self):
        if not self.messages or not self.has_older:
            return
        older = await call_service(
            conversations.list_messages, self.selected_id, limit=TAIL + 1, before_id=self.messages[0]["id"]
        )
        self.has_older = len(older) > TAIL
        self.messages, dropped_newer = with_older(self.messages, [message_row(m) for m in older[-TAIL:]])
        self.has_newer = self.has_newer or dropped_newer

    @rx.event
    async def load_newer(self):
        if not self.messages or not self.has_newer:
            return
        newer = await call_service(
            conversations.list_messages, self.selected_id, limit=TAIL + 1, after_id=self.messages[-1]["id"]
        )
        self.has_newer = len(newer) > TAIL
        self.messages, dropped_older = with_newer(self.messages, [message_row(m) for m in newer[:TAIL]])
        self.has_older = self.has_older or dropped_older
        self.newest_id = max(self.newest_id, self.messages[-1]["id"])
        if self.unseen:
            self.unseen = await call_service(conversations.count_messages, self.selected_id, after_id=self.newest_id)

    @rx.event
    async def jump_to_latest(self):
        if self.selected_id:
            self._show_latest(await call_service(conversations.list_messages, self.selected_id, limit=TAIL + 1))

    def _window(self) -> Window:
        first, last = (self.messages[0]["id"], self.messages[-1]["id"]) if self.messages else (0, 0)
        return Window(self.selected_id, self.has_newer, first, last, self.newest_id)

    def _apply(self, window: Window, view: dict, rows: list[dict], unseen: int) -> None:
        """A fresh read of `window` (see `fresh_window`) shown, unless the window moved meanwhile."""
        if self.selected_id != window.conversation_id:
            return
        self._show(view)
        if self._window() != window:
            return
        if window.reading_older:
            fresh, self.unseen = rows, unseen
        else:
            fresh, dropped_older = with_tail(self.messages, rows, TAIL)
            self.has_older = self.has_older or dropped_older
            self.newest_id = fresh[-1]["id"] if fresh else 0
        if fresh != self.messages:  # an unchanged window is not sent again
            self.messages = fresh

    async def _refresh(self) -> None:
        window = self._window()
        try:
            fresh = await fresh_window(window)
        except AppError as exc:
            self.error = exc.message
            return
        self._apply(window, *fresh)


async def fresh_window(window: Window) -> tuple[dict, list[dict], int]:
    """The conversation, and its messages for the window: the latest page when it shows the latest,
    else the shown range again (statuses) and how many came after the newest it reached."""
    conversation_id = window.conversation_id
    view = await call_service(conversations.get_conversation, conversation_id)
    if not window.reading_older:
        latest = await call_service(conversations.list_messages, conversation_id, limit=TAIL)
        return view, [message_row(m) for m in latest], 0
    shown = await call_service(  # ids only grow: first..last is the same rows (first-1 < id < last+1)
        conversations.list_messages, conversation_id, limit=WINDOW,
        after_id=window.first_id - 1, before_id=window.last_id + 1,
    )
    unseen = await call_service(conversations.count_messages, conversation_id, after_id=window.newest_id)
    return view, [message_row(m) for m in shown], unseen
