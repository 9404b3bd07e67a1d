"""The "Try this agent" box: a conversation with the open agent through the real pipeline, no channel."""

from __future__ import annotations


import reflex as rx

from ai_agents.core.errors import AppError
from ai_agents.services.workspace import conversations, playground
from ai_agents.ui.components.rows import message_row
from ai_agents.ui.live import tab_bursts
from ai_agents.ui.platform import call_service, platform_context

SHOWN = 50  # the latest messages of the try conversation on the page
LIVE_KINDS = ("message", "conversation", "outbox_sent", "outbox_failed")


class TryAgentState(rx.State):
    """The try box's chat with the open agent, and its messages as stored."""

    agent_id: int = 0
    agent_active: bool = True
    chat: str = ""
    conversation_id: int = 0
    messages: list[dict] = []
    error: str = ""

    def show_agent(self, agent_id: int, active: bool) -> None:
        """An agent opened (another one: a new chat with it)."""
        self.agent_active = active
        if agent_id != self.agent_id:
            self.agent_id = agent_id
            self._new_chat()

    def _new_chat(self) -> None:
        self.chat, self.conversation_id, self.messages, self.error = playground.new_chat(), 0, [], ""

    @rx.event
    def new_conversation(self):
        self._new_chat()

    @rx.event
    async def send(self, form_data: dict):
        text = str(form_data.get("message", "")).strip()
        if not self.agent_id or not text:
            return
        try:
            self.conversation_id = await playground.say(platform_context(), self.agent_id, self.chat, text)
            rows = await call_service(conversations.list_messages, self.conversation_id, limit=SHOWN)
        except AppError as exc:
            self.error = exc.message
            return
        self.error, self.messages = "", [message_row(m) for m in rows]

    @rx.event(background=True)
    async def follow(self):
        """The reply (and away message, follow-ups) appear as the outbox delivers them."""
        async with tab_bursts(self, LIVE_KINDS) as bursts:
            async for burst in bursts:
                async with self:
                    shown = self.conversation_id
                if not shown or all(event.get("conversation_id") != shown for event in burst):
                    continue
                try:
                    rows = await call_service(conversations.list_messages, shown, limit=SHOWN)
                except AppError:
                    continue  # deleted with its agent meanwhile
                async with self:
                    if self.conversation_id == shown:
                        self.messages = [message_row(m) for m in rows]


def _bubble(row) -> rx.Component:
    """rx.text shows what was typed as text, never as HTML."""
    return rx.box(
        rx.hstack(
            rx.text(row["label"], size="1", weight="bold", color_scheme=rx.cond(row["automatic"], "violet", "gray")),
            rx.cond(row["sentiment"] != "", rx.badge(row["sentiment"], color_scheme=row["sentiment_color"], size="1",
                                                                     class_name="try-sentiment")),
            rx.cond(row["status"] != "", rx.badge(row["status"], size="1", class_name="try-status",
                                                  color_scheme=rx.cond(row["failed"], "red", "gray"))),
            spacing="2",
            align="center",
        ),
        rx.text(row["text"], size="2", white_space="pre-wrap", class_name="try-text"),
        rx.cond(row["translation"] != "", rx.text("↳ ", row["translation"], size="1", color_scheme="gray",
                                                  white_space="pre-wrap", class_name="try-translation")),
        class_name=rx.cond(row["customer"], "try-message try-customer", "try-message try-agent"),
        align_self=rx.cond(row["customer"], "flex-end", "flex-start"),
        max_width="80%",
        padding="0.5em 0.75em",
        border_radius="10px",
        background=rx.cond(row["customer"], "var(--accent-a3)",
                           rx.cond(row["automatic"], "var(--violet-a3)", "var(--gray-a3)")),
    )


def try_box() -> rx.Component:
    s = TryAgentState
    return rx.vstack(
        rx.text("Write as a customer would. The message goes through this agent's working hours, translation, "
                "sentiment and reply, as on a channel, and the answer comes back here; no customer sees it. "
                "The conversation shows in Live Chat marked as a try.", size="2", color_scheme="gray"),
        rx.box(
            rx.vstack(rx.foreach(s.messages, _bubble), spacing="2", width="100%"),
            id="try-messages",
            display="flex",
            flex_direction="column-reverse",  # the newest message stays in view
            overflow_y="auto",
            height="22em",
            width="100%",
            padding="0.75em",
            border="1px solid var(--gray-a5)",
            border_radius="8px",
        ),
        rx.cond(~s.agent_active, rx.callout("This agent is inactive: it stores messages but does not answer them.",
                                            color_scheme="amber", size="1", id="try-inactive")),
        rx.cond(s.error != "", rx.callout(s.error, color_scheme="red", size="1", id="try-error")),
        rx.form(
            rx.hstack(
                rx.input(name="message", placeholder="Message to the agent", id="try-input", width="100%",
                         auto_complete="off"),
                rx.button(rx.icon("send", size=14), "Send", type="submit", id="try-send"),
                rx.button("New conversation", type="button", variant="soft", on_click=s.new_conversation,
                          id="try-new"),
                width="100%",
            ),
            on_submit=s.send,
            reset_on_submit=True,
            width="100%",
        ),
        width="100%",
        spacing="3",
    )
