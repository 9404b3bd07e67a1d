"""The forms of an agent's settings sections: fields, rows of ranges and messages, inline problems."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

import reflex as rx

from ai_agents.core.schedule import WEEKDAYS
from ai_agents.ui.pages.agent_settings import SECTION_LABELS
from ai_agents.ui.pages.agent_settings import AgentSettingsState as S

TIMEZONE_LIST = "timezone-names"


@cache
def timezone_names() -> list[str]:
    """The IANA zones this server knows, for the timezone picker (typing any other is refused)."""
    return sorted(z for z in available_timezones() if "/" in z or z == "UTC")


def slug(key: str) -> str:
    return key.replace(".", "-").replace("_", "-")


def field_error(key: str, errors=S.errors) -> rx.Component:
    """The problem the service found with this field, under it (`errors`: a state's dict var)."""
    return rx.cond(errors.contains(key),
                   rx.text(errors[key], size="1", color_scheme="red", class_name="field-error",
                           id=f"error-{slug(key)}"))


def labelled(label: str, control: rx.Component, key: str, hint: str = "", errors=S.errors) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        control,
        *([rx.text(hint, size="1", color_scheme="gray")] if hint else []),
        field_error(key, errors),
        spacing="1",
        width="100%",
    )


def text_field(key: str, label: str, hint: str = "", **props) -> rx.Component:
    control = rx.input(value=S.texts[key], on_change=lambda v: S.set_text(key, v), id=f"field-{slug(key)}", **props)
    return labelled(label, control, key, hint)


def lines_field(key: str, label: str, hint: str = "") -> rx.Component:
    control = rx.text_area(value=S.texts[key], on_change=lambda v: S.set_text(key, v), id=f"field-{slug(key)}",
                           rows="4", width="100%")
    return labelled(label, control, key, hint)


def flag_field(key: str, label: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(rx.switch(checked=S.flags[key], on_change=lambda v: S.set_flag(key, v), id=f"field-{slug(key)}"),
                  rx.text(label, size="2"), align="center", spacing="2"),
        field_error(key),
        spacing="1",
    )


def two_columns(*columns: rx.Component) -> rx.Component:
    """A form's fields side by side (a laptop screen is wide enough for two)."""
    return rx.grid(*columns, columns="2", spacing="6", width="100%")


def row_error(row) -> rx.Component:
    return rx.cond(row["error"] != "", rx.text(row["error"], size="1", color_scheme="red", class_name="row-error"))


def section_footer(section: str) -> rx.Component:
    return rx.vstack(
        rx.cond(S.problems[section], rx.callout(S.problems[section], color_scheme="red", size="1",
                                                 id=f"problem-{slug(section)}")),
        rx.cond(S.notices[section], rx.callout(S.notices[section], color_scheme="green", size="1",
                                                id=f"notice-{slug(section)}")),
        rx.button(f"Save {SECTION_LABELS[section].lower()}", on_click=S.save(section), id=f"save-{slug(section)}"),
        width="100%",
        spacing="2",
    )


def section_form(section: str, *fields: rx.Component) -> rx.Component:
    """A settings section's fields, then its Save button with what the last save said."""
    return rx.vstack(*fields, section_footer(section), spacing="3", width="100%")


def _range(day: str, row, index) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.input(value=row["start"], on_change=lambda v: S.set_range(day, index, "start", v), placeholder="HH:MM",
                     width="6em", class_name="range-start", size="1"),
            rx.text("–"),
            rx.input(value=row["end"], on_change=lambda v: S.set_range(day, index, "end", v), placeholder="HH:MM",
                     width="6em", class_name="range-end", size="1"),
            rx.icon_button(rx.icon("x", size=12), on_click=S.remove_range(day, index), variant="ghost", size="1",
                           color_scheme="gray", class_name="range-remove", aria_label="Remove this range"),
            align="center",
            spacing="2",
        ),
        row_error(row),
        spacing="1",
    )


def _day(day: str) -> rx.Component:
    return rx.hstack(
        rx.text(day.capitalize(), size="2", width="7em", padding_top="0.3em"),
        rx.vstack(
            rx.foreach(S.schedule[day], lambda row, index: _range(day, row, index)),
            rx.cond(S.schedule[day].length() == 0, rx.text("closed", size="1", color_scheme="gray",
                                                           padding_top="0.35em")),
            spacing="1",
        ),
        rx.icon_button(rx.icon("plus", size=12), on_click=S.add_range(day), variant="soft", size="1",
                       class_name="range-add", aria_label=f"Add a range on {day}"),
        id=f"day-{day}",
        align="start",
        spacing="3",
        padding_y="0.2em",
        border_bottom="1px solid var(--gray-a3)",
        width="100%",
    )


def _holiday(row, index) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.input(type="date", value=row["value"], on_change=lambda v: S.set_holiday(index, v), size="1",
                     class_name="holiday-date"),
            rx.icon_button(rx.icon("x", size=12), on_click=S.remove_holiday(index), variant="ghost", size="1",
                           color_scheme="gray", aria_label="Remove this holiday"),
            align="center",
        ),
        row_error(row),
        spacing="1",
    )


def working_hours_form() -> rx.Component:
    key = "working_hours"
    return section_form(
        key,
        flag_field(f"{key}.enabled", "Answer only during working hours; outside them send the away message"),
        two_columns(
            rx.vstack(
                rx.heading("Weekly schedule", size="3"),
                rx.text("Several ranges a day are fine. An end earlier than its start runs overnight into the "
                        "next day; 00:00-24:00 is the whole day. A day without ranges is closed.",
                        size="1", color_scheme="gray"),
                *[_day(day) for day in WEEKDAYS],
                field_error(f"{key}.schedule"),
                spacing="2",
                width="100%",
            ),
            rx.vstack(
                text_field(f"{key}.timezone", "Timezone", "An IANA name: type to pick, e.g. Europe/Berlin",
                           custom_attrs={"list": TIMEZONE_LIST}, width="100%"),
                rx.el.datalist(*[rx.el.option(value=zone) for zone in timezone_names()], id=TIMEZONE_LIST),
                rx.text("Holidays (closed all day)", size="2", weight="medium"),
                rx.vstack(rx.foreach(S.holidays, _holiday), id="holidays", spacing="1"),
                rx.button(rx.icon("plus", size=12), "Add a holiday", on_click=S.add_holiday, variant="soft",
                          size="1", id="holiday-add"),
                field_error(f"{key}.holidays"),
                lines_field(f"{key}.away_message", "Away message",
                            "{next_open} becomes the next opening, e.g. “Monday 09:00 CET”."),
                spacing="2",
                width="100%",
            ),
        ),
    )


def translation_form() -> rx.Component:
    key = "translation"
    return section_form(
        key,
        flag_field(f"{key}.enabled", "Translate between the customer's language and the agent's"),
        text_field(f"{key}.source_language", "The agent's language", "A language code: en, es, pt-BR", width="10em"),
        flag_field(f"{key}.auto_detect", "Detect the customer's language"),
        flag_field(f"{key}.translate_incoming", "Translate customers' messages for the agent"),
        flag_field(f"{key}.translate_outgoing", "Translate the agent's replies for the customer"),
        flag_field(f"{key}.translate_manager_messages", "Translate managers' messages too"),
    )


def sentiment_form() -> rx.Component:
    key = "sentiment"
    return section_form(
        key,
        flag_field(f"{key}.enabled", "Score the sentiment of customers' messages"),
        two_columns(
            rx.vstack(
                flag_field(f"{key}.alert_on_negative", "Alert on negative messages"),
                text_field(f"{key}.negative_threshold", "Negative threshold",
                           "Negative at a score of minus this or lower; 0 to 1, e.g. 0.5", width="8em"),
                flag_field(f"{key}.escalate_on_very_negative", "Hand very negative conversations to a person"),
                text_field(f"{key}.very_negative_threshold", "Very negative threshold",
                           "Very negative at minus this or lower; 0 to 1, e.g. 0.75", width="8em"),
                spacing="3",
            ),
            rx.vstack(
                lines_field(f"{key}.escalation_keywords", "Words that ask for a person", "One a line"),
                text_field(f"{key}.alert_webhook_url", "Alert webhook URL", "Optional: https://…", width="100%"),
                text_field(f"{key}.alert_telegram_chat_id", "Alert Telegram chat id",
                           "Optional: sent through the agent's bot", width="14em"),
                spacing="3",
                width="100%",
            ),
        ),
    )


def _follow_up_message(row, index) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(index + 1, ".", size="2", color_scheme="gray", width="1.5em"),
            rx.text_area(value=row["value"], on_change=lambda v: S.set_message(index, v), rows="2", width="100%",
                         class_name="follow-up-text"),
            rx.vstack(
                rx.icon_button(rx.icon("arrow-up", size=12), on_click=S.move_message(index, -1), variant="soft",
                               size="1", class_name="follow-up-up", aria_label="Send earlier"),
                rx.icon_button(rx.icon("arrow-down", size=12), on_click=S.move_message(index, 1), variant="soft",
                               size="1", class_name="follow-up-down", aria_label="Send later"),
                spacing="1",
            ),
            rx.icon_button(rx.icon("trash-2", size=12), on_click=S.remove_message(index), variant="ghost",
                           color_scheme="red", size="1", class_name="follow-up-remove", aria_label="Remove"),
            align="start",
            width="100%",
        ),
        row_error(row),
        spacing="1",
        width="100%",
    )


def follow_up_form() -> rx.Component:
    key = "follow_up"
    return section_form(
        key,
        flag_field(f"{key}.enabled", "Follow up when the customer goes quiet"),
        rx.hstack(
            text_field(f"{key}.delay_minutes", "Delay (minutes)", "Silence before each one", width="8em"),
            text_field(f"{key}.max_follow_ups", "Follow-ups at most", "1 to 10", width="8em"),
            spacing="6",
        ),
        flag_field(f"{key}.only_if_no_reply", "Only if the customer has not replied"),
        rx.text("Messages, in the order they are sent", size="2", weight="medium"),
        rx.vstack(rx.foreach(S.messages, _follow_up_message), id="follow-up-messages", width="100%", spacing="2"),
        rx.button(rx.icon("plus", size=12), "Add a message", on_click=S.add_message, variant="soft", size="1",
                  id="follow-up-add"),
        field_error(f"{key}.messages"),
    )


def broadcasts_form() -> rx.Component:
    key = "broadcasts"
    return section_form(
        key,
        two_columns(
            lines_field(f"{key}.opt_out_keywords", "Opt-out words",
                        "One a line: a customer whose whole message is one of them gets no more campaigns"),
            lines_field(f"{key}.opt_in_keywords", "Opt-in words", "One a line: subscribes again"),
        ),
        lines_field(f"{key}.opt_out_reply", "Reply to an opt-out"),
    )
