"""Alerts page: negative sentiment, escalations and failures, each linking to its conversation."""

from __future__ import annotations


import reflex as rx

from ai_agents.core.errors import AppError
from ai_agents.core.types import AlertKind
from ai_agents.services.workspace.alerts import acknowledge_alert, list_alerts
from ai_agents.ui.components.common import pager
from ai_agents.ui.components.rows import alert_row
from ai_agents.ui.layout import page_frame
from ai_agents.ui.live import tab_bursts
from ai_agents.ui.paging import PAGE_SIZE, Paged
from ai_agents.ui.platform import call_service

KIND_CHOICES = ["all", *[kind.value for kind in AlertKind]]


async def _alerts_page(kind: str, show_acknowledged: bool, offset: int) -> tuple[list[dict], int]:
    rows, total = await call_service(
        list_alerts,
        kind=None if kind == "all" else kind,
        acknowledged=None if show_acknowledged else False,
        limit=PAGE_SIZE,
        offset=offset,
    )
    return [alert_row(a) for a in rows], total


class AlertsState(Paged, rx.State):
    """The alerts shown: filters and page."""

    rows: list[dict] = []
    kind_filter: str = "all"
    show_acknowledged: bool = False
    error: str = ""

    async def _load(self) -> None:
        self.rows, self.total = await _alerts_page(self.kind_filter, self.show_acknowledged, self.offset)

    @rx.event
    async def load(self):
        await self._load()

    @rx.event
    async def filter_kind(self, value: str):
        self.kind_filter, self.offset = (value if value in KIND_CHOICES else "all"), 0
        await self._load()

    @rx.event
    async def toggle_acknowledged(self, value: bool):
        self.show_acknowledged, self.offset = bool(value), 0
        await self._load()

    @rx.event
    async def acknowledge(self, alert_id: int):
        try:
            await call_service(acknowledge_alert, alert_id)
        except AppError as exc:
            self.error = exc.message
        await self._load()

    @rx.event(background=True)
    async def follow(self):
        async with tab_bursts(self, ["alert", "outbox_failed"]) as bursts:
            async for _burst in bursts:
                async with self:
                    shown = (self.kind_filter, self.show_acknowledged, self.offset)
                rows, total = await _alerts_page(*shown)  # the tab's lock is not held meanwhile
                async with self:
                    if (self.kind_filter, self.show_acknowledged, self.offset) == shown:
                        self.rows, self.total = rows, total


def _alert(row) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.badge(row["kind"], color_scheme=row["color"])),
        rx.table.cell(rx.text(row["text"], size="2")),
        rx.table.cell(rx.cond(row["href"] != "",
                              rx.link(row["contact"], href=row["href"], class_name="alert-conversation"))),
        rx.table.cell(row["when"]),
        rx.table.cell(rx.cond(row["acknowledged"], rx.text("acknowledged", size="1", color_scheme="gray"),
                              rx.button("Acknowledge", size="1", on_click=AlertsState.acknowledge(row["id"]),
                                        class_name="alert-acknowledge"))),
        class_name="alert-row",
    )


def alerts_page() -> rx.Component:
    s = AlertsState
    return page_frame(
        "Alerts",
        rx.hstack(
            rx.select(KIND_CHOICES, value=s.kind_filter, on_change=s.filter_kind, size="1", id="alerts-kind"),
            rx.checkbox("Show acknowledged", checked=s.show_acknowledged, on_change=s.toggle_acknowledged,
                        id="alerts-show-acknowledged"),
            rx.spacer(),
            pager(s.page_summary, s.previous_page, s.next_page, s.has_previous, s.has_next, "alerts-page"),
            width="100%",
            align="center",
        ),
        rx.cond(s.error != "", rx.callout(s.error, color_scheme="red")),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in
                                           ("Kind", "Alert", "Conversation", "When", "")])),
            rx.table.body(rx.foreach(s.rows, _alert)),
            id="alerts-table",
            width="100%",
        ),
    )
