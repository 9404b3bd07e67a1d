"""Integrations page: every agent's channels with live status and reason, actions, rates, connect forms."""

from __future__ import annotations

import reflex as rx

from ai_agents.ui.components.common import channel_icon
from ai_agents.ui.components.integration_forms import connect_form, pairing_panel
from ai_agents.ui.layout import page_frame
from ai_agents.ui.pages.integrations_state import IntegrationsState

__all__ = ["IntegrationsState", "integrations_page"]


def _action(label: str, icon: str, handler, css: str, color: str = "gray") -> rx.Component:
    return rx.button(rx.icon(icon, size=13), label, size="1", variant="soft", color_scheme=color,
                     on_click=handler, class_name=f"integration-{css}")


def _rate_error(name: str) -> rx.Component:
    errors = IntegrationsState.rate_errors
    return rx.cond(errors.contains(name), rx.text(errors[name], size="1", color_scheme="red",
                                                  class_name=f"rate-error-{name}"))


def _rates(row) -> rx.Component:
    """The rates, and a popover to change them (empty: the channel's default)."""
    s = IntegrationsState
    return rx.popover.root(
        rx.popover.trigger(rx.button(rx.icon("gauge", size=13), row["rates"], size="1", variant="ghost",
                                     class_name="integration-rates")),
        rx.popover.content(
            rx.form(
                rx.vstack(
                    rx.el.input(type="hidden", name="integration_id", value=row["id"]),
                    rx.text("Sends a second, all chats", size="1"),
                    rx.input(name="rate_limit_per_second", default_value=row["rate"], placeholder="default",
                             class_name="rate-all"),
                    _rate_error("rate_limit_per_second"),
                    rx.text("Sends a second to one chat", size="1"),
                    rx.input(name="per_chat_rate_limit_per_second", default_value=row["per_chat_rate"],
                             placeholder="default", class_name="rate-per-chat"),
                    _rate_error("per_chat_rate_limit_per_second"),
                    rx.button("Save", type="submit", size="1", class_name="rate-save"),
                    spacing="2",
                ),
                on_submit=s.save_rates,
                reset_on_submit=False,
            ),
        ),
    )


def _delete(row) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(rx.icon("trash-2", size=13), size="1", variant="soft", color_scheme="red",
                                          class_name="integration-delete", aria_label="Delete")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete ", row["name"], "?"),
            rx.alert_dialog.description("Its adapter stops and its conversations stay; this cannot be undone."),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button("Delete", color_scheme="red", id="integration-delete-confirm",
                                                 on_click=IntegrationsState.delete(row["id"]))),
                justify="end",
                spacing="3",
                margin_top="1em",
            ),
        ),
    )


def _actions(row) -> rx.Component:
    s = IntegrationsState
    return rx.hstack(
        rx.cond(row["enabled"], _action("Stop", "square", s.stop(row["id"]), "stop"),
                _action("Start", "play", s.start(row["id"]), "start", "green")),
        rx.cond(row["device"], rx.fragment(
            rx.cond(~row["linked"], _action("Link", "qr-code", s.pair(row["id"]), "link", "amber")),
            _action("Disconnect", "unplug", s.disconnect(row["id"]), "disconnect"),
            _action("Log out", "log-out", s.logout(row["id"]), "logout", "orange"),
        )),
        _delete(row),
        spacing="2",
        wrap="wrap",
    )


def _row(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.hstack(channel_icon(row["channel"]), rx.text(row["kind"], size="2"), align="center")),
        rx.table.cell(rx.vstack(
            rx.text(row["name"], weight="medium", class_name="integration-name"),
            rx.cond(row["detail"] != "", rx.code(row["detail"], size="1", class_name="integration-detail")),
            spacing="1",
        )),
        rx.table.cell(row["agent"]),
        rx.table.cell(rx.vstack(
            rx.badge(row["status"], color_scheme=row["color"], class_name="integration-status"),
            rx.cond(row["reason"] != "", rx.text(row["reason"], size="1", color_scheme="gray",
                                                 class_name="integration-reason", max_width="22em")),
            spacing="1",
        )),
        rx.table.cell(_rates(row)),
        rx.table.cell(_actions(row)),
        class_name="integration-row",
        id=f"integration-{row['id']}",
        align="center",
    )


def integrations_page() -> rx.Component:
    s = IntegrationsState
    return page_frame(
        "Integrations",
        rx.cond(s.error != "", rx.callout(s.error, color_scheme="red", icon="triangle-alert", id="integrations-error")),
        rx.cond(s.notice != "", rx.callout(s.notice, color_scheme="green", icon="check", id="integrations-notice")),
        pairing_panel(),
        rx.cond(
            s.rows.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                               ("Channel", "Name", "Agent", "Status", "Rate limit", "")])),
                rx.table.body(rx.foreach(s.rows, _row)),
                id="integrations-table",
                width="100%",
                variant="surface",
            ),
            rx.text("No integrations yet: connect a channel below.", id="integrations-empty", color_scheme="gray"),
        ),
        connect_form(),
    )
