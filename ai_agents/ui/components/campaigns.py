"""Broadcast pieces: the create form (pasted or CSV recipients, now or later), its preview, a campaign card."""

from __future__ import annotations

import reflex as rx

from ai_agents.services.outbound.broadcast_recipients import MAX_CSV_BYTES

UPLOAD_ID = "broadcast-csv"


def _upload(s) -> rx.Component:
    return rx.hstack(
        rx.upload(
            rx.button(rx.icon("upload", size=14), "Upload CSV", type="button", variant="soft", size="2"),
            id=UPLOAD_ID,
            accept={"text/csv": [".csv"], "text/plain": [".txt"]},
            max_files=1,
            max_size=MAX_CSV_BYTES,
            multiple=False,
            no_drag=True,
            on_drop=s.upload_csv(rx.upload_files(upload_id=UPLOAD_ID)),
            padding="0",
            border="none",
        ),
        rx.cond(s.upload_summary != "", rx.hstack(
            rx.text(s.upload_summary, size="2", id="upload-summary"),
            rx.icon_button(rx.icon("x", size=12), on_click=s.clear_upload, type="button", size="1", variant="ghost",
                           id="upload-clear"),
            align="center",
        ), rx.text("columns: phone or chat_id, and optionally name", size="1", color_scheme="gray")),
        align="center",
        spacing="3",
    )


def create_form(s) -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.hstack(
                    rx.select.root(
                        rx.select.trigger(placeholder="Agent", id="broadcast-agent"),
                        rx.select.content(rx.foreach(s.agent_options, lambda o: rx.select.item(o[1], value=o[0]))),
                        name="agent_id",
                    ),
                    rx.select(["telegram", "whatsapp", "instagram"], default_value="telegram", name="channel",
                              id="broadcast-channel"),
                    rx.input(name="name", placeholder="Campaign name", id="broadcast-name"),
                    wrap="wrap",
                ),
                rx.text_area(name="message", placeholder="Message; {name} is the recipient's name",
                             id="broadcast-message", width="100%"),
                rx.text_area(name="recipients", placeholder="Recipients: chat ids or phone numbers, one a line",
                             id="broadcast-recipients", width="100%", rows="3"),
                _upload(s),
                rx.hstack(
                    rx.radio_group.root(
                        rx.hstack(
                            rx.radio_group.item(value="now", id="broadcast-now"), rx.text("Send now", size="2"),
                            rx.radio_group.item(value="later", id="broadcast-later"), rx.text("Schedule at", size="2"),
                            align="center",
                        ),
                        default_value="now",
                        name="when",
                    ),
                    rx.input(type="datetime-local", name="scheduled_at", id="broadcast-time", step="1"),
                    rx.input(name="timezone", default_value=s.zone, key=s.zone, placeholder="Time zone, e.g. Europe/Berlin",
                             id="broadcast-zone", width="14em"),
                    align="center",
                    wrap="wrap",
                ),
                rx.button("Preview", type="submit", id="broadcast-preview"),
                width="100%",
            ),
            on_submit=s.preview_campaign,
            reset_on_submit=False,
        ),
        width="100%",
    )


def _count(label: str, value, element_id: str, color: str) -> rx.Component:
    return rx.vstack(rx.text(label, size="1", color_scheme="gray"),
                     rx.heading(value, size="5", id=element_id, color_scheme=color), spacing="0")


def preview_card(s) -> rx.Component:
    p = s.preview
    return rx.card(
        rx.vstack(
            rx.heading("Preview", size="4"),
            rx.hstack(
                _count("will be sent", p["valid"], "preview-valid", "green"),
                _count("invalid", p["invalid"], "preview-invalid", "red"),
                _count("opted out", p["opted_out"], "preview-opted-out", "amber"),
                _count("duplicates", p["duplicates"], "preview-duplicates", "gray"),
                spacing="6",
            ),
            rx.cond(p["sample"] != "", rx.text("First message: ", rx.text.em(p["sample"]), size="2",
                                               id="preview-sample", white_space="pre-wrap")),
            rx.cond(s.preview_skipped.length() > 0, rx.vstack(
                rx.foreach(s.preview_skipped, lambda r: rx.text(
                    rx.text.strong(r["recipient"]), ": ", r["reason"], size="1", class_name="preview-skipped")),
                spacing="1", max_height="10em", overflow_y="auto", width="100%",
            )),
            rx.hstack(
                rx.button(rx.cond(p["when"] != "", "Schedule for " + p["when"].to(str), "Send now"),
                          on_click=s.confirm, id="broadcast-confirm"),
                rx.button("Edit", on_click=s.discard_preview, variant="soft", color_scheme="gray",
                          id="broadcast-discard"),
            ),
            width="100%",
        ),
        id="broadcast-preview-card",
        width="100%",
    )


def recipient_problems(s, row) -> rx.Component:
    return rx.cond(
        s.problems_of == row["id"],
        rx.vstack(
            rx.foreach(s.problems, lambda r: rx.hstack(
                rx.badge(r["status"], color_scheme=rx.cond(r["status"] == "failed", "red", "gray"), size="1"),
                rx.text(r["recipient"], size="1", weight="bold"),
                rx.text(r["error"], size="1", color_scheme="gray"),
                class_name="recipient-problem", align="center",
            )),
            spacing="1", width="100%", max_height="12em", overflow_y="auto",
        ),
    )


def campaign_card(s, row, problems: rx.Component) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.text(row["title"], weight="bold"),
            rx.badge(row["status"], class_name="broadcast-status"),
            rx.text(row["agent"], " · ", row["channel"], " · ", row["when"], size="1", color_scheme="gray"),
            rx.text(row["scheduled"], size="1", color_scheme="amber", class_name="broadcast-scheduled"),
            rx.spacer(),
            rx.cond(row["problems"].to(int) > 0, rx.button(
                "Failed and skipped (", row["problems"], ")", size="1", variant="ghost", class_name="broadcast-problems",
                on_click=s.show_problems(row["agent_id"], row["id"]))),
            rx.cond(row["cancellable"], rx.button("Cancel", size="1", variant="soft", color_scheme="red",
                                                  class_name="broadcast-cancel",
                                                  on_click=s.cancel(row["agent_id"], row["id"]))),
            align="center",
            width="100%",
        ),
        rx.progress(value=row["progress"].to(int), max=100, class_name="broadcast-progress", width="100%"),
        rx.text(row["progress"], "% · ", row["counts"], size="1", class_name="broadcast-counts"),
        problems,
        class_name="broadcast",
        width="100%",
    )
