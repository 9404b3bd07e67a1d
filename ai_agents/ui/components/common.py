"""Small shared pieces: channel icons, stat cards, pagination, the time and sentiment formats."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import reflex as rx



def channel_icon(channel) -> rx.Component:
    return rx.match(
        channel,
        ("telegram", rx.icon("send", size=16, color="var(--sky-9)")),
        ("whatsapp", rx.icon("phone", size=16, color="var(--green-9)")),
        ("instagram", rx.icon("camera", size=16, color="var(--pink-9)")),
        ("playground", rx.icon("flask-conical", size=16, color="var(--violet-9)")),  # an agent's try box
        rx.icon("message-circle", size=16),
    )


def stat_card(label: str, value, element_id: str) -> rx.Component:
    return rx.card(
        rx.vstack(rx.text(label, size="2", color_scheme="gray"), rx.heading(value, size="7", id=element_id)),
        min_width="11em",
    )


def pager(summary, on_previous, on_next, has_previous, has_next, element_id: str) -> rx.Component:
    return rx.hstack(
        rx.button(rx.icon("chevron-left", size=14), on_click=on_previous, disabled=~has_previous,
                  variant="soft", size="1", id=f"{element_id}-previous"),
        rx.text(summary, size="1", color_scheme="gray"),
        rx.button(rx.icon("chevron-right", size=14), on_click=on_next, disabled=~has_next,
                  variant="soft", size="1", id=f"{element_id}-next"),
        align="center",
        spacing="2",
    )


def short_time(moment: datetime | None) -> str:
    """'14:05' today's style; with the date for older moments (UTC)."""
    if moment is None:
        return ""
    return moment.strftime("%d %b %H:%M")


def sentiment_mark(score: float | None) -> dict[str, Any]:
    """The mark shown beside a customer message: label and colour, none without a score."""
    if score is None:
        return {"sentiment": "", "sentiment_color": "gray"}
    if score <= -0.5:
        label, color = "very negative", "red"
    elif score < -0.05:
        label, color = "negative", "orange"
    elif score > 0.05:
        label, color = "positive", "green"
    else:
        label, color = "neutral", "gray"
    return {"sentiment": f"{label} {score:+.2f}", "sentiment_color": color}
