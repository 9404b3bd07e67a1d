"""Agents page: the list of agents, and the open one's fields, settings tabs and try box."""

from __future__ import annotations

import reflex as rx

from ai_agents.ui.components.agent_settings import (
    broadcasts_form,
    follow_up_form,
    labelled,
    sentiment_form,
    translation_form,
    two_columns,
    working_hours_form,
)
from ai_agents.ui.layout import page_frame
from ai_agents.ui.pages.agent_try import try_box
from ai_agents.ui.pages.agents_state import AgentsState

__all__ = ["AgentsState", "agents_page"]

TABS = [
    ("agent", "Agent"),
    ("working_hours", "Working hours"),
    ("translation", "Translation"),
    ("sentiment", "Sentiment"),
    ("follow_up", "Follow-ups"),
    ("broadcasts", "Broadcasts"),
    ("try", "Try this agent"),
]


def _agent_item(row) -> rx.Component:
    s = AgentsState
    return rx.box(
        rx.hstack(
            rx.icon("bot", size=16),
            rx.text(row["name"], weight="bold", size="2", class_name="agent-name"),
            rx.spacer(),
            rx.cond(row["active"], rx.badge("active", color_scheme="green", size="1"),
                    rx.badge("inactive", color_scheme="gray", size="1")),
            align="center",
            spacing="2",
        ),
        rx.text(row["model"], " · ", row["api_key"], size="1", color_scheme="gray", class_name="agent-key"),
        rx.cond(row["key_problem"], rx.text("API key unreadable: enter it again", size="1", color_scheme="red")),
        on_click=s.select(row["id"]),
        id="agent-" + row["id"].to(str),
        class_name="agent-item",
        padding="0.6em",
        border_radius="8px",
        cursor="pointer",
        width="100%",
        background=rx.cond(s.selected_id == row["id"], "var(--accent-a4)", "transparent"),
        _hover={"background": "var(--gray-a3)"},
    )


def agent_list() -> rx.Component:
    s = AgentsState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text("Agents", size="4", weight="bold"),  # text: the page title is the one heading
                rx.spacer(),
                rx.button(rx.icon("plus", size=14), "New agent", on_click=s.start_create, size="2", id="agent-new"),
                width="100%",
                align="center",
            ),
            rx.cond(s.rows.length() > 0,
                    rx.vstack(rx.foreach(s.rows, _agent_item), spacing="1", width="100%", id="agents-list"),
                    rx.text("No agents yet: create the first one.", size="2", color_scheme="gray", id="agents-empty")),
            width="100%",
        ),
        width="19em",
        min_width="16em",
    )


def _text(name: str, label: str, hint: str = "", **props) -> rx.Component:
    s = AgentsState
    control = rx.input(value=s.draft[name], on_change=lambda v: s.set_draft(name, v), id=f"agent-field-{name}",
                       name=f"draft_{name}", **props)
    return labelled(label, control, name, hint, errors=s.errors)


def _switch(name: str, label: str) -> rx.Component:
    s = AgentsState
    return rx.hstack(
        rx.switch(checked=s.draft_flags[name], on_change=lambda v: s.set_draft_flag(name, v),
                  id=f"agent-field-{name.replace('_', '-')}", name=f"draft_{name}"),
        rx.text(label, size="2"),
        align="center",
        spacing="2",
    )


def agent_form() -> rx.Component:
    s = AgentsState
    key_input = rx.input(name="api_key", type="password", auto_complete="off", id="agent-field-api_key",
                         placeholder=rx.cond(s.creating, "sk-… (empty: the default OPENAI_API_KEY)",
                                             "empty: keep the stored key"), width="100%")
    return rx.form(
        rx.vstack(
            two_columns(
                rx.vstack(
                    _text("name", "Name", width="100%"),
                    _text("model", "Model", "e.g. gpt-4o-mini; empty: the server's default", width="100%"),
                    labelled("API key", key_input, "api_key", errors=s.errors),
                    rx.cond(~s.creating, rx.hstack(rx.text("Stored:", size="1", color_scheme="gray"),
                                                   rx.code(s.key_shown, id="agent-key-shown"), align="center")),
                    rx.cond(~s.creating, _switch("remove_api_key", "Remove the stored key")),
                    rx.cond(~s.creating, _switch("keep_api_key", "Send the stored key to a new base URL")),
                    spacing="3",
                    width="100%",
                ),
                rx.vstack(
                    _text("base_url", "Base URL", "OpenAI-compatible endpoint; empty: OPENAI_BASE_URL", width="100%"),
                    rx.hstack(_text("temperature", "Temperature", "0 to 2", width="7em"),
                              _text("language", "Language", "e.g. en", width="7em"), spacing="4"),
                    _switch("is_active", "Active: answers customers"),
                    spacing="3",
                    width="100%",
                ),
            ),
            labelled("System prompt", rx.text_area(value=s.draft["system_prompt"], rows="6", width="100%",
                                                   on_change=lambda v: s.set_draft("system_prompt", v),
                                                   id="agent-field-system_prompt", name="draft_system_prompt"),
                     "system_prompt", errors=s.errors),
            rx.cond(s.problem != "", rx.callout(s.problem, color_scheme="red", size="1", id="agent-problem")),
            rx.button(rx.cond(s.creating, "Create agent", "Save agent"), type="submit", id="agent-save"),
            spacing="4",
            width="100%",
        ),
        on_submit=s.save_agent,
        reset_on_submit=True,  # the typed key leaves the page with the submit
        width="100%",
    )


def _delete_button() -> rx.Component:
    s = AgentsState
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(rx.icon("trash-2", size=14), "Delete", color_scheme="red", variant="soft",
                                          id="agent-delete")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete ", s.draft["name"], "?"),
            rx.alert_dialog.description("Its integrations stop and are removed, with its conversations and "
                                        "campaigns. This cannot be undone."),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button("Delete", color_scheme="red", on_click=s.delete_agent,
                                                 id="agent-delete-confirm")),
                justify="end",
                spacing="3",
                margin_top="1em",
            ),
        ),
    )


def agent_editor() -> rx.Component:
    s = AgentsState
    contents = {"agent": agent_form(), "working_hours": working_hours_form(), "translation": translation_form(),
                "sentiment": sentiment_form(), "follow_up": follow_up_form(), "broadcasts": broadcasts_form(),
                "try": try_box()}
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(rx.cond(s.creating, "New agent", s.draft["name"]), size="5", id="agent-title"),
                rx.spacer(),
                rx.cond(~s.creating, _delete_button()),
                width="100%",
                align="center",
            ),
            rx.tabs.root(
                rx.tabs.list(*[rx.tabs.trigger(label, value=value, id=f"tab-{value.replace('_', '-')}",
                                               disabled=s.creating & (value != "agent"))
                               for value, label in TABS]),
                *[rx.tabs.content(rx.box(contents[value], padding_top="1em"), value=value) for value, _ in TABS],
                value=s.tab,
                on_change=s.set_tab,
                width="100%",
            ),
            width="100%",
        ),
        width="100%",
        id="agent-editor",
    )


def agents_page() -> rx.Component:
    s = AgentsState
    return page_frame(
        "Agents",
        rx.cond(s.notice != "", rx.callout(s.notice, color_scheme="green", size="1", id="agents-notice")),
        rx.hstack(
            agent_list(),
            rx.cond(s.creating | (s.selected_id > 0), agent_editor(),
                    rx.center(rx.text("Open an agent to edit its settings and try it, or create one.",
                                      color_scheme="gray"), width="100%", padding="3em")),
            align="start",
            spacing="4",
            width="100%",
        ),
    )
