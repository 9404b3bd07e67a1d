"""Chat pieces: an inbox item, a message bubble (customer text always as plain text), a note."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx

from ai_agents.ui.components.common import channel_icon


def inbox_item(row, selected_id, on_select: Callable) -> rx.Component:
    return rx.box(
        rx.hstack(
            channel_icon(row["channel"]),
            rx.text(row["contact"], weight="bold", size="2", trim="both"),
            rx.spacer(),
            rx.cond(row["escalated"], rx.badge("escalated", color_scheme="red", size="1")),
            rx.cond(row["manual_mode"], rx.badge("taken over", color_scheme="amber", size="1")),
            rx.cond(row["unread"].to(int) > 0, rx.badge(row["unread"], color_scheme="blue", variant="solid", size="1",
                                               class_name="unread")),
            align="center",
            spacing="2",
        ),
        rx.text(row["last_message"], size="1", color_scheme="gray", class_name="last-message",
                white_space="nowrap", overflow="hidden", text_overflow="ellipsis"),
        rx.hstack(rx.text(row["agent"], size="1", color_scheme="gray"), rx.spacer(),
                  rx.text(row["when"], size="1", color_scheme="gray")),
        on_click=on_select(row["id"]),
        id="conversation-" + row["id"].to(str),
        class_name="inbox-item",
        padding="0.6em",
        border_radius="8px",
        cursor="pointer",
        background=rx.cond(selected_id == row["id"], "var(--accent-a4)", "transparent"),
        _hover={"background": "var(--gray-a3)"},
        width="100%",
    )


def message_bubble(row, on_send_suggestion: Callable, on_discard: Callable) -> rx.Component:
    """rx.text escapes what it shows: a customer's HTML or markdown is displayed, never run."""
    return rx.box(
        rx.hstack(
            rx.text(row["label"], size="1", weight="bold",
                    color_scheme=rx.cond(row["automatic"], "violet", "gray")),
            rx.text(row["when"], size="1", color_scheme="gray"),
            rx.cond(row["sentiment"] != "", rx.badge(row["sentiment"], color_scheme=row["sentiment_color"],
                                                     size="1", class_name="sentiment")),
            rx.cond(row["status"] != "", rx.badge(row["status"], size="1", class_name="delivery",
                                                  color_scheme=rx.cond(row["failed"], "red", "gray"))),
            spacing="2",
            align="center",
        ),
        rx.text(row["text"], size="2", white_space="pre-wrap", class_name="message-text"),
        rx.cond(row["translation"] != "",
                rx.text("↳ ", row["translation"], size="1", color_scheme="gray", white_space="pre-wrap",
                        class_name="message-translation")),
        rx.cond(row["failed"], rx.text("Not delivered: ", row["error"], size="1", color_scheme="red",
                                       class_name="delivery-error")),
        rx.cond(row["suggestion"], rx.hstack(
            rx.button("Send", size="1", on_click=on_send_suggestion(row["id"]), class_name="suggestion-send"),
            rx.button("Discard", size="1", variant="soft", color_scheme="gray", on_click=on_discard(row["id"]),
                      class_name="suggestion-discard"),
        )),
        id="message-" + row["id"].to(str),
        key=row["id"],  # React moves a bubble with its message as the window shifts, instead of rewriting all
        class_name="message",
        align_self=rx.cond(row["customer"], "flex-start", "flex-end"),
        max_width="75%",
        padding="0.6em 0.8em",
        border_radius="10px",
        border=rx.cond(row["suggestion"], "1px dashed var(--amber-8)", "none"),
        background=rx.cond(row["customer"], "var(--gray-a3)",
                           rx.cond(row["automatic"], "var(--violet-a3)", "var(--accent-a3)")),
    )


def note_item(row) -> rx.Component:
    return rx.box(
        rx.text(row["text"], size="2", white_space="pre-wrap", class_name="note-text"),
        rx.text(row["author"], " · ", row["when"], size="1", color_scheme="gray"),
        padding="0.5em",
        border_radius="6px",
        background="var(--amber-a3)",
        width="100%",
    )


def inbox_filters(state, states) -> rx.Component:
    return rx.vstack(
        rx.form(rx.input(name="search", placeholder="Search customers", id="inbox-search", width="100%"),
                on_submit=state.find, width="100%"),
        rx.hstack(
            rx.select.root(
                rx.select.trigger(placeholder="Agent", id="filter-agent"),
                rx.select.content(rx.select.item("All agents", value="all"),
                                  rx.foreach(state.agent_options, lambda o: rx.select.item(o[1], value=o[0]))),
                on_change=state.filter_agent, size="1",
            ),
            rx.select(["all", "telegram", "whatsapp", "instagram"], placeholder="Channel", on_change=state.filter_channel,
                      size="1", id="filter-channel"),
            rx.select(list(states), placeholder="State", on_change=state.filter_state, size="1",
                      id="filter-state"),
            spacing="1",
            wrap="wrap",
        ),
        width="100%",
    )


# The pane shows a window of the conversation. Scrolling near the top asks for the older page (a
# click on "Load older messages"), near the bottom for the newer one, once per window edge. When
# the window changes at either end, the message at the top of the view is put back where it was
# (column-reverse alone would only keep the view for rows added at the top); at the bottom of the
# latest messages, column-reverse keeps the newest in view. A new `data-latest` value (the server
# showed the latest page: opened, sent, jumped) scrolls to the newest message.
WINDOW_ON_SCROLL = """(() => {
  const pane = document.getElementById('messages');
  if (!pane || pane.dataset.windowed) return;
  pane.dataset.windowed = '1';
  let anchor = null, reading = false, asked = '', latest = pane.dataset.latest;
  const remember = () => {  // the message at the top of the view, and whether older ones were read
    const top = pane.getBoundingClientRect().top;
    reading = pane.dataset.newer === 'true';
    anchor = null;
    for (const bubble of pane.querySelectorAll('.message')) {
      const box = bubble.getBoundingClientRect();
      if (box.bottom > top) { anchor = [bubble.id, box.top - top]; return; }
    }
  };
  const keep = () => {
    if (pane.dataset.latest !== latest) {
      latest = pane.dataset.latest;
      pane.scrollTop = 0;
    } else if (anchor && (Math.abs(pane.scrollTop) > 2 || reading)) {
      const bubble = document.getElementById(anchor[0]);
      if (bubble) pane.scrollTop += bubble.getBoundingClientRect().top - pane.getBoundingClientRect().top - anchor[1];
    }
    remember();
  };
  new MutationObserver(keep).observe(pane, {childList: true, subtree: true, attributes: true,
                                            attributeFilter: ['data-latest']});
  pane.addEventListener('scroll', () => {
    remember();
    const bubbles = pane.querySelectorAll('.message');
    if (!bubbles.length) return;
    const fromTop = pane.scrollHeight - pane.clientHeight - Math.abs(pane.scrollTop);
    const older = document.getElementById('load-older'), newer = document.getElementById('load-newer');
    const oldest = 'older:' + bubbles[0].id, newest = 'newer:' + bubbles[bubbles.length - 1].id;
    if (fromTop < 80 && older && asked !== oldest) {
      asked = oldest;
      older.click();
    } else if (Math.abs(pane.scrollTop) < 80 && newer && asked !== newest) {
      asked = newest;
      newer.click();
    }
  }, {passive: true});
})()"""


def message_pane(state) -> rx.Component:
    """The window of messages, and while older ones are read, "N new messages ↓" (or "Jump to
    latest ↓") over its bottom."""
    return rx.box(
        rx.box(
            rx.vstack(
                rx.cond(state.has_older, rx.button("Load older messages", on_click=state.load_older,
                                                   variant="ghost", size="1", id="load-older")),
                rx.foreach(state.messages,
                           lambda m: message_bubble(m, state.send_suggestion, state.discard_suggestion)),
                rx.cond(state.has_newer, rx.button("Newer messages", on_click=state.load_newer, variant="ghost",
                                                   size="1", id="load-newer")),
                spacing="2",
                width="100%",
            ),
            id="messages",
            data_latest=state.latest_jumps,
            data_newer=state.has_newer,
            # column-reverse keeps the view at the newest message as messages arrive
            display="flex",
            flex_direction="column-reverse",
            overflow_y="auto",
            height="calc(100vh - 22em)",
            width="100%",
            padding="0.5em",
            overflow_anchor="none",  # the browser's anchoring is off: WINDOW_ON_SCROLL keeps the view
            on_mount=rx.call_script(WINDOW_ON_SCROLL),
        ),
        rx.cond(state.has_newer, rx.button(
            rx.cond(state.unseen == 1, "1 new message", rx.cond(state.unseen > 1, state.unseen.to(str) + " new messages",
                                                                 "Jump to latest")),
            " ↓", on_click=state.jump_to_latest, id="jump-latest", size="1", radius="full",
            position="absolute", bottom="1em", left="50%", transform="translateX(-50%)", box_shadow="var(--shadow-3)",
        )),
        position="relative",
        width="100%",
    )


def composer(state) -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.text_area(name="message", placeholder="Write as manager (Enter sends, Shift+Enter: new line)",
                         enter_key_submit=True, id="composer", width="100%", rows="2"),
            rx.button(rx.icon("send", size=14), type="submit", id="composer-send"),
            width="100%",
            align="end",
        ),
        on_submit=state.send,
        reset_on_submit=True,
        width="100%",
    )


def notes_panel(state) -> rx.Component:
    return rx.vstack(
        rx.heading("Notes", size="3"),
        rx.form(
            rx.vstack(
                rx.text_area(name="note", placeholder="A private note for the team", id="note-input", width="100%"),
                rx.button("Add note", type="submit", size="1", id="note-add"),
                width="100%",
            ),
            on_submit=state.add_note,
            reset_on_submit=True,
            width="100%",
        ),
        rx.vstack(rx.foreach(state.notes, note_item), id="notes", width="100%", spacing="2"),
        width="16em",
        min_width="14em",
    )
