"""The live chat pane's window arithmetic: never more than WINDOW messages, the far end dropped
and remembered (older or newer ones exist), live tails merged without a silent gap."""

from __future__ import annotations

from ai_agents.ui.paging import WINDOW, with_newer, with_older, with_tail

PAGE = 50


def rows(first: int, last: int) -> list[dict]:
    return [{"id": n, "text": f"m{n}"} for n in range(first, last + 1)]


def ids(messages: list[dict]) -> list[int]:
    return [m["id"] for m in messages]


def test_scrolling_up_past_the_window_drops_the_newest_and_down_again_the_oldest():
    shown = rows(951, 1000)  # opened at the latest page of 1,000 messages
    dropped_newer = False
    for first in range(901, 0, -PAGE):  # scroll up to the very first message
        shown, dropped = with_older(shown, rows(first, first + PAGE - 1))
        dropped_newer = dropped_newer or dropped
        assert len(shown) <= WINDOW and ids(shown) == list(range(first, first + len(shown)))
    assert ids(shown) == list(range(1, WINDOW + 1)) and dropped_newer
    dropped_older = False
    while shown[-1]["id"] < 1000:  # and back down to the latest
        last = shown[-1]["id"]
        shown, dropped = with_newer(shown, rows(last + 1, last + PAGE))
        dropped_older = dropped_older or dropped
        assert len(shown) <= WINDOW and ids(shown) == list(range(last + PAGE - len(shown) + 1, last + PAGE + 1))
    assert ids(shown) == list(range(1000 - WINDOW + 1, 1001)) and dropped_older


def test_pages_within_the_window_drop_nothing():
    assert with_older(rows(101, 150), rows(51, 100)) == (rows(51, 150), False)
    assert with_newer(rows(51, 100), rows(101, 150)) == (rows(51, 150), False)
    assert with_older(rows(51, 50 + WINDOW), rows(50, 50)) == (rows(50, 49 + WINDOW), True)


def test_a_live_tail_adds_new_messages_updates_shown_ones_and_drops_the_oldest_past_the_window():
    shown = rows(1, WINDOW)
    tail = [{"id": n, "text": "updated" if n == WINDOW else f"m{n}"} for n in range(WINDOW - PAGE + 3, WINDOW + 3)]
    merged, dropped_older = with_tail(shown, tail, PAGE)
    assert ids(merged) == list(range(3, WINDOW + 3)) and dropped_older
    assert merged[-3]["text"] == "updated"
    assert with_tail(rows(1, 3), rows(1, 4), PAGE) == (rows(1, 4), False)  # a short conversation: all of it
    assert with_tail([], rows(1, 3), PAGE) == (rows(1, 3), False)


def test_more_than_a_page_since_the_last_tail_replaces_the_window_instead_of_leaving_a_gap():
    merged, older_exist = with_tail(rows(1, 100), rows(161, 210), PAGE)  # 101..160 were never read
    assert ids(merged) == list(range(161, 211)) and older_exist
