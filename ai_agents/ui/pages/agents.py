"""Agents page: the list of agents from the agents service."""

from __future__ import annotations

import reflex as rx

from ai_agents.core.errors import Unavailable
from ai_agents.services.workspace import agents
from ai_agents.ui.layout import page_frame
from ai_agents.ui.platform import platform_context


class AgentsState(rx.State):
    """Rows of the agents table."""

    rows: list[dict[str, str]] = []

    @rx.event
    def load(self):
        try:
            items, _total = agents.list_agents(platform_context(), limit=500)
        except Unavailable:
            return
        self.rows = [
            {
                "id": str(a["id"]),
                "name": a["name"],
                "model": a["model"],
                "api_key": a["api_key"] or "default",
                "active": "active" if a["is_active"] else "inactive",
            }
            for a in items
        ]


def agents_page() -> rx.Component:
    return page_frame(
        "Agents",
        rx.cond(
            AgentsState.rows.length() > 0,
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[rx.table.column_header_cell(h) for h in ("ID", "Name", "Model", "API key", "State")]
                    )
                ),
                rx.table.body(
                    rx.foreach(
                        AgentsState.rows,
                        lambda row: rx.table.row(
                            rx.table.cell(row["id"]),
                            rx.table.cell(row["name"]),
                            rx.table.cell(row["model"]),
                            rx.table.cell(row["api_key"]),
                            rx.table.cell(row["active"]),
                        ),
                    )
                ),
                id="agents-table",
                width="100%",
            ),
            rx.text("No agents yet. Create one with POST /api/agents (see /api/docs).", id="agents-empty"),
        ),
    )
