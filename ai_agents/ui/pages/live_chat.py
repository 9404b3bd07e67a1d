"""Live Chat page: the inbox, the selected conversation live, takeover, notes, composer, export."""

from __future__ import annotations


import reflex as rx

from ai_agents.core.errors import AppError
from ai_agents.services.workspace import agents, conversations, inbox, suggestions
from ai_agents.ui.live import tab_bursts
from ai_agents.ui.message_window import TAIL, MessageWindow, fresh_window
from ai_agents.ui.paging import PAGE_SIZE, Paged
from ai_agents.ui.components.chat import composer, inbox_filters, inbox_item, message_pane, notes_panel
from ai_agents.ui.components.common import channel_icon, pager
from ai_agents.ui.components.rows import conversation_row, note_row
from ai_agents.ui.layout import page_frame
from ai_agents.ui.platform import call_service, platform_context

LIVE_KINDS = ("message", "conversation", "note", "outbox_sent", "outbox_failed", "alert")


class LiveChatState(Paged, MessageWindow, rx.State):
    """The inbox's filters and page, and the open conversation (its messages: a MessageWindow): UI
    state only."""

    rows: list[dict] = []
    agent_filter: str = ""
    channel_filter: str = ""
    state_filter: str = "all"
    search: str = ""
    agent_options: list[list[str]] = []
    header: dict = {}
    notes: list[dict] = []

    # -- loading ------------------------------------------------------------------------------------
    @rx.event
    async def load(self):
        """on_load: the agents for the filter, the inbox, and the conversation of `?c=` if any."""
        listed, _total = await call_service(agents.list_agents, limit=500)
        self.agent_options = [[str(a["id"]), a["name"]] for a in listed]
        await self._load()
        wanted = self.router.url.query_parameters.get("c", "")
        if wanted.isdigit():
            await self._open(int(wanted))
        elif self.selected_id:
            await self._open(self.selected_id)

    async def _load(self) -> None:
        self.rows, self.total = await self._inbox_page(self.offset)

    async def _inbox_page(self, offset: int) -> tuple[list[dict], int]:
        items, total = await call_service(
            inbox.inbox,
            agent_id=int(self.agent_filter) if self.agent_filter.isdigit() else None,
            channel=self.channel_filter or None,
            state=self.state_filter,
            search=self.search,
            limit=PAGE_SIZE,
            offset=offset,
        )
        return [conversation_row(c) for c in items], total

    async def _open(self, conversation_id: int) -> None:
        try:
            view = await call_service(conversations.get_conversation, conversation_id)
            messages = await call_service(conversations.list_messages, conversation_id, limit=TAIL + 1)
        except AppError as exc:
            self.error = exc.message
            return
        self.selected_id, self.error = conversation_id, ""
        self._show(view)
        self._show_latest(messages)

    def _show(self, view: dict) -> None:
        self.header = conversation_row({**view, "last_message": "", "unread": 0})
        self.notes = [note_row(n) for n in reversed(view["notes"])]

    @rx.event
    async def select(self, conversation_id: int):
        await self._open(conversation_id)

    # -- filters and pages --------------------------------------------------------------------------
    @rx.event
    async def filter_agent(self, value: str):
        self.agent_filter, self.offset = ("" if value == "all" else value), 0
        await self._load()

    @rx.event
    async def filter_channel(self, value: str):
        self.channel_filter, self.offset = ("" if value == "all" else value), 0
        await self._load()

    @rx.event
    async def filter_state(self, value: str):
        self.state_filter = value if value in inbox.STATES else "all"
        self.offset = 0
        await self._load()

    @rx.event
    async def find(self, form_data: dict):
        self.search, self.offset = str(form_data.get("search", ""))[: inbox.SEARCH_MAX], 0
        await self._load()

    # -- actions ------------------------------------------------------------------------------------
    async def _act(self, fn, *args) -> None:
        """Run a service action on the open conversation, then show its fresh state where the
        person is reading (the latest page only if they were at it)."""
        try:
            await call_service(fn, self.selected_id, *args)
        except AppError as exc:
            self.error = exc.message
            return
        await self._refresh()

    @rx.event
    async def take_over(self):
        await self._act(conversations.set_manual_mode, True, "taken over by manager")

    @rx.event
    async def release(self):
        await self._act(conversations.set_manual_mode, False)

    @rx.event
    async def add_note(self, form_data: dict):
        text = str(form_data.get("note", "")).strip()
        if text:
            await self._act(conversations.add_note, conversations.NoteCreate(notes=text[:10_000]))

    @rx.event
    async def send(self, form_data: dict):
        text = str(form_data.get("message", "")).strip()
        if not text or not self.selected_id:
            return
        message = conversations.ManagerMessage(message=text[:10_000])
        try:  # async like the API's route: the translation, if any, awaits the model
            await conversations.send_manager_message(platform_context(), self.selected_id, message)
        except AppError as exc:
            self.error = exc.message
            return
        await self._open(self.selected_id)  # the sender sees their message: the latest page

    @rx.event
    async def send_suggestion(self, message_id: int):
        await self._act(suggestions.send_suggestion, message_id)

    @rx.event
    async def discard_suggestion(self, message_id: int):
        await self._act(suggestions.discard_suggestion, message_id)

    @rx.event
    async def export(self):
        if self.selected_id:
            filename, text = await call_service(conversations.export_csv, self.selected_id)
            return rx.download(data="\ufeff" + text, filename=filename, mime_type="text/csv")

    # -- live ---------------------------------------------------------------------------------------
    @rx.event(background=True)
    async def follow(self):
        """While the page is open: each burst of events refreshes the inbox page, and the open
        conversation when the burst touches it: at the latest page, new messages come in (the
        oldest leave past WINDOW); reading older ones, the count of new ones below rises."""
        async with tab_bursts(self, LIVE_KINDS) as bursts:
            async for burst in bursts:
                async with self:
                    offset, window = self.offset, self._window()
                rows, total = await self._inbox_page(offset)
                touched = window.conversation_id and any(
                    e.get("conversation_id") == window.conversation_id for e in burst)
                fresh = await fresh_window(window) if touched else None
                async with self:
                    if self.offset == offset:
                        self.rows, self.total = rows, total
                    if fresh is not None:
                        self._apply(window, *fresh)


# -- the page ---------------------------------------------------------------------------------------
S = LiveChatState


def _inbox() -> rx.Component:
    return rx.vstack(
        inbox_filters(S, inbox.STATES),
        rx.scroll_area(
            rx.vstack(rx.foreach(S.rows, lambda row: inbox_item(row, S.selected_id, S.select)), spacing="1"),
            height="calc(100vh - 16em)",
            id="inbox",
        ),
        pager(S.page_summary, S.previous_page, S.next_page, S.has_previous, S.has_next, "inbox-page"),
        width="22em",
        min_width="18em",
    )


def _conversation_header() -> rx.Component:
    h = S.header
    return rx.hstack(
        channel_icon(h["channel"]),
        rx.heading(h["contact"], size="4", id="conversation-contact"),
        rx.cond(h["manual_mode"], rx.badge("taken over", color_scheme="amber", id="taken-over-badge"),
                rx.badge("AI answering", color_scheme="green")),
        rx.cond(h["escalated"], rx.badge("escalated", color_scheme="red")),
        rx.spacer(),
        rx.cond(h["manual_mode"],
                rx.button("Release to AI", on_click=S.release, variant="soft", id="release"),
                rx.button("Take over", on_click=S.take_over, id="take-over")),
        rx.button(rx.icon("download", size=14), "Export CSV", on_click=S.export, variant="outline", id="export"),
        align="center",
        width="100%",
    )


def live_chat_page() -> rx.Component:
    return page_frame(
        "Live Chat",
        rx.cond(S.error != "", rx.callout(S.error, color_scheme="red", icon="triangle_alert", id="chat-error")),
        rx.hstack(
            _inbox(),
            rx.cond(
                S.selected_id > 0,
                rx.hstack(
                    rx.vstack(_conversation_header(), message_pane(S), composer(S), width="100%", spacing="3"),
                    notes_panel(S),
                    width="100%",
                    align="start",
                ),
                rx.center(rx.text("Select a conversation", color_scheme="gray"), width="100%", height="20em"),
            ),
            width="100%",
            align="start",
            spacing="4",
        ),
    )
