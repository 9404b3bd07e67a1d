"""The dashboard's charts (Recharts): messages per hour or day stacked by channel, and the sentiment mix."""

from __future__ import annotations

import reflex as rx

CHANNEL_COLORS = (("telegram", "Telegram", "var(--sky-9)"), ("whatsapp", "WhatsApp", "var(--grass-9)"),
                  ("instagram", "Instagram", "var(--pink-9)"))
SENTIMENT_COLORS = {"positive": "var(--grass-9)", "neutral": "var(--gray-8)", "negative": "var(--red-9)"}
AXIS = {"stroke": "var(--gray-11)", "font_size": 11}  # readable in light and dark mode
TOOLTIP = {
    "content_style": {"background": "var(--color-panel-solid)", "border": "1px solid var(--gray-a6)"},
    "label_style": {"color": "var(--gray-12)"},
    "item_style": {"color": "var(--gray-12)"},
}


def messages_chart(data, element_id: str) -> rx.Component:
    """Bars per time bucket (`label`), one stacked segment per channel."""
    return rx.box(
        rx.recharts.bar_chart(
            rx.recharts.cartesian_grid(stroke_dasharray="3 3", stroke="var(--gray-a5)", vertical=False),
            rx.recharts.x_axis(data_key="label", **AXIS),
            rx.recharts.y_axis(allow_decimals=False, width=32, **AXIS),
            rx.recharts.graphing_tooltip(**TOOLTIP, cursor={"fill": "var(--gray-a3)"}),
            *[rx.recharts.bar(data_key=channel, name=label, stack_id="channels", fill=color, is_animation_active=False)
              for channel, label, color in CHANNEL_COLORS],
            data=data,
            height=220,
            width="100%",
        ),
        _legend(),
        id=element_id,
        width="100%",
    )


def _legend() -> rx.Component:
    """The channels' colours, the names in the page's text colour (Recharts' own legend writes them
    in the bar colour, unreadable on white)."""
    return rx.hstack(
        *[rx.hstack(rx.box(width="0.7em", height="0.7em", border_radius="2px", background=color),
                    rx.text(label, size="1"), align="center", spacing="1")
          for _channel, label, color in CHANNEL_COLORS],
        justify="center",
        spacing="4",
        width="100%",
    )


def sentiment_chart(slices) -> rx.Component:
    """A donut of positive / neutral / negative customer messages."""
    return rx.recharts.pie_chart(
        rx.recharts.pie(
            rx.foreach(slices, lambda s: rx.recharts.cell(fill=s["color"])),
            data=slices,
            data_key="count",
            name_key="name",
            inner_radius="45%",
            outer_radius="80%",
            stroke="var(--color-panel-solid)",
            is_animation_active=False,
        ),
        rx.recharts.graphing_tooltip(**TOOLTIP),
        height=200,
        width="100%",
    )


def sentiment_slices(counts: dict[str, int]) -> list[dict]:
    return [{"name": name, "count": counts.get(name, 0), "color": color} for name, color in SENTIMENT_COLORS.items()]
