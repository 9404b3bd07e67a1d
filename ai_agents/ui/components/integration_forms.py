"""The Integrations page's forms: connect a channel, link a WhatsApp device (live QR code or phone code)."""

from __future__ import annotations

import reflex as rx

from ai_agents.ui.pages.integrations_state import CONNECT_FIELDS, CONNECT_TYPES, IntegrationsState

COMMON_LABELS = [
    ("name", "Name shown in the workspace (optional)", False),
    ("rate_limit_per_second", "Sends a second, all chats (optional)", False),
]
BASE_URL = ("api_base_url", "API base URL (optional: a self-hosted Bot API, or a test server)", False)


def field_error(errors, name: str, prefix: str = "connect") -> rx.Component:
    """The API's message for this field, under it (the same text as a 422 names)."""
    return rx.cond(errors[name] != "",
                   rx.text(errors[name], size="1", color_scheme="red", id=f"{prefix}-error-{name}"))


def _field(name: str, label: str, secret: bool) -> rx.Component:
    return rx.vstack(
        rx.text(label, size="1", weight="medium", color_scheme="gray"),
        rx.input(name=name, type="password" if secret else "text", id=f"connect-{name}", width="100%",
                 auto_complete="off"),
        field_error(IntegrationsState.field_errors, name),
        spacing="1",
        width="100%",
    )


def _fields_of(kind: str) -> rx.Component:
    fields = [_field(name, label, secret) for name, label, secret, _required in CONNECT_FIELDS[kind]]
    if kind != "whatsapp":
        fields.append(_field(*BASE_URL))
    # its own key: switching types mounts new inputs, so nothing typed moves into another field
    return rx.grid(*fields, columns="2", spacing="3", width="100%", key=f"connect-fields-{kind}")


def connect_form() -> rx.Component:
    s = IntegrationsState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Connect a channel", size="3"),
                rx.hstack(
                    rx.select.root(
                        rx.select.trigger(id="connect-type", min_width="16em"),
                        rx.select.content(*[rx.select.item(label, value=kind) for kind, label in CONNECT_TYPES.items()]),
                        value=s.connect_type,
                        on_change=s.choose_type,
                    ),
                    rx.select.root(
                        rx.select.trigger(placeholder="Agent", id="connect-agent", min_width="12em"),
                        rx.select.content(rx.foreach(s.agent_options, lambda o: rx.select.item(o[1], value=o[0]))),
                        value=s.connect_agent,
                        on_change=s.choose_agent,
                    ),
                    field_error(s.field_errors, "agent_id"),
                    align="center",
                    spacing="3",
                ),
                rx.match(s.connect_type, *[(kind, _fields_of(kind)) for kind in CONNECT_FIELDS], _fields_of("telegram")),
                rx.grid(*[_field(*common) for common in COMMON_LABELS], columns="2", spacing="3", width="100%"),
                field_error(s.field_errors, "body"),
                rx.button(rx.icon("plug", size=14), "Connect", type="submit", id="connect-submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=s.connect,
            reset_on_submit=False,
            id="connect-form",
        ),
        width="100%",
    )


def _qr_or_code(p) -> rx.Component:
    s = IntegrationsState
    return rx.hstack(
        rx.cond(
            p["qr_image"],
            rx.image(src=p["qr_image"].to(str), alt="QR code to scan with WhatsApp", id="pairing-qr",
                     width="232px", height="232px", background="white", border_radius="8px"),
            rx.center(rx.spinner(size="3"), rx.text("Waiting for WhatsApp's QR code…", size="2"),
                      width="232px", height="232px", direction="column", spacing="2"),
        ),
        rx.vstack(
            rx.text(p["instructions"].to(str), size="2", id="pairing-instructions"),
            rx.cond(p["pair_code"], rx.vstack(
                rx.text("Code for ", p["pair_phone"].to(str), size="1", color_scheme="gray"),
                rx.heading(p["pair_code"].to(str), size="8", id="pairing-code", letter_spacing="0.1em"),
                spacing="1",
            )),
            rx.cond(p["pairing_error"], rx.callout(p["pairing_error"].to(str), color_scheme="red", size="1")),
            rx.form(
                rx.hstack(
                    rx.input(name="phone", placeholder="+14155550100", id="pairing-phone", width="12em"),
                    rx.button("Link with phone number instead", type="submit", variant="soft", id="pairing-phone-submit"),
                    spacing="2",
                ),
                field_error(s.field_errors, "phone", "pairing"),
                on_submit=s.pair_by_phone,
                reset_on_submit=False,
            ),
            spacing="3",
            max_width="32em",
        ),
        spacing="5",
        align="start",
    )


def pairing_panel() -> rx.Component:
    """The device on screen: its QR code as it rotates (pushed live), then the number it linked."""
    s = IntegrationsState
    p = s.pairing
    return rx.cond(
        s.pairing_id != 0,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.icon("qr-code", size=18),
                    rx.heading("Link WhatsApp device ", s.pairing_id, size="3"),
                    rx.badge(p["status"].to(str), id="pairing-status"),
                    rx.spacer(),
                    rx.icon_button(rx.icon("x", size=14), variant="ghost", on_click=s.close_pairing, id="pairing-close"),
                    align="center",
                    width="100%",
                ),
                rx.cond(
                    p["connected"],
                    rx.callout(rx.text("Linked to ", rx.text.strong(p["phone_number"].to(str), id="pairing-number"),
                                       ". Customers who write to this number are answered by the agent."),
                               icon="circle-check", color_scheme="green", id="pairing-linked"),
                    _qr_or_code(p),
                ),
                rx.cond(p["last_error"], rx.text(p["last_error"].to(str), size="1", color_scheme="gray")),
                spacing="3",
                width="100%",
            ),
            id="pairing-panel",
            width="100%",
        ),
    )
