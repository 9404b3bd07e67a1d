"""Broadcasts page: create a campaign (recipients pasted), and every campaign's live progress."""

from __future__ import annotations

import re
from contextlib import aclosing

import reflex as rx
from pydantic import ValidationError

from ai_agents.core.errors import AppError
from ai_agents.services.outbound import broadcasts
from ai_agents.services.workspace import agents
from ai_agents.ui.components.common import short_time
from ai_agents.ui.layout import page_frame
from ai_agents.ui.live import live_bursts
from ai_agents.ui.platform import call_service

LIVE_KINDS = ("outbox_sent", "outbox_failed")
REFRESH_EVERY = 0.5  # seconds between progress refreshes while a campaign sends
RECIPIENT_SEPARATORS = re.compile(r"[\s,;]+")


def _campaigns(ctx) -> list[dict]:
    """Every agent's campaigns, newest first (a few agents: one query each)."""
    listed, _total = agents.list_agents(ctx, limit=500)
    found = [{**b, "agent": a["name"]} for a in listed for b in broadcasts.list_broadcasts(ctx, a["id"])]
    return sorted(found, key=lambda b: b["id"], reverse=True)


def _campaign_row(view: dict) -> dict:
    done = view["sent"] + view["failed"] + view["skipped"] + view["cancelled"]
    return {
        "id": view["id"],
        "agent_id": view["agent_id"],
        "title": view["name"] or view["message"][:60],
        "agent": view["agent"],
        "channel": view["integration_type"],
        "status": view["status"],
        "progress": round(100 * done / view["total"]) if view["total"] else 100,
        "counts": f"{view['sent']} sent · {view['failed']} failed · {view['pending']} pending · "
                  f"{view['skipped']} skipped of {view['total']}",
        "cancellable": view["status"] in ("pending", "processing"),
        "when": short_time(view["created_at"]),
    }


class BroadcastsState(rx.State):
    """The campaigns shown, the agents to pick from, and the outcome of the last create."""

    rows: list[dict] = []
    agent_options: list[list[str]] = []
    error: str = ""
    notice: str = ""

    @rx.event
    async def load(self):
        listed, _total = await call_service(agents.list_agents, limit=500)
        self.agent_options = [[str(a["id"]), a["name"]] for a in listed]
        self.rows = [_campaign_row(b) for b in await call_service(_campaigns)]

    @rx.event
    async def create(self, form_data: dict):
        recipients = [r for r in RECIPIENT_SEPARATORS.split(str(form_data.get("recipients", ""))) if r]
        agent_id = str(form_data.get("agent_id", ""))
        try:
            body = broadcasts.BroadcastCreate(
                message=str(form_data.get("message", "")),
                integration_type=str(form_data.get("channel", "telegram")),
                recipients=recipients,
                name=str(form_data.get("name", "")),
            )
            if not agent_id.isdigit():
                raise AppError("agent: choose the agent whose channel sends the campaign")
            created = await call_service(broadcasts.create_broadcast, int(agent_id), body)
        except ValidationError as exc:
            self.error = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
            return
        except AppError as exc:
            self.error = exc.message
            return
        self.error, self.notice = "", f"Campaign {created['id']} created for {created['total']} recipients"
        self.rows = [_campaign_row(b) for b in await call_service(_campaigns)]

    @rx.event
    async def cancel(self, agent_id: int, broadcast_id: int):
        try:
            await call_service(broadcasts.cancel_broadcast, agent_id, broadcast_id)
        except AppError as exc:
            self.error = exc.message
        self.rows = [_campaign_row(b) for b in await call_service(_campaigns)]

    @rx.event(background=True)
    async def follow(self):
        """Progress bars move as the campaign's sends are recorded (a few refreshes a second)."""
        async with self:
            owner = (self.get_full_name(), self.router.session.client_token)
        async with aclosing(live_bursts(owner, LIVE_KINDS, min_interval=REFRESH_EVERY)) as bursts:
            async for _burst in bursts:
                rows = [_campaign_row(b) for b in await call_service(_campaigns)]
                async with self:
                    self.rows = rows


def _create_form() -> rx.Component:
    s = BroadcastsState
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
                ),
                rx.text_area(name="message", placeholder="Message; {name} is the contact's name",
                             id="broadcast-message", width="100%"),
                rx.text_area(name="recipients", placeholder="Recipients: chat ids or phone numbers, one a line",
                             id="broadcast-recipients", width="100%", rows="4"),
                rx.button("Send now", type="submit", id="broadcast-create"),
                width="100%",
            ),
            on_submit=s.create,
            reset_on_submit=False,
        ),
        width="100%",
    )


def _campaign(row) -> rx.Component:
    return rx.card(
        rx.hstack(
            rx.text(row["title"], weight="bold"),
            rx.badge(row["status"], class_name="broadcast-status"),
            rx.text(row["agent"], " · ", row["channel"], " · ", row["when"], size="1", color_scheme="gray"),
            rx.spacer(),
            rx.cond(row["cancellable"], rx.button("Cancel", size="1", variant="soft", color_scheme="red",
                                                  on_click=BroadcastsState.cancel(row["agent_id"], row["id"]))),
            align="center",
            width="100%",
        ),
        rx.progress(value=row["progress"].to(int), max=100, class_name="broadcast-progress", width="100%"),
        rx.text(row["progress"], "% · ", row["counts"], size="1", class_name="broadcast-counts"),
        class_name="broadcast",
        width="100%",
    )


def broadcasts_page() -> rx.Component:
    s = BroadcastsState
    return page_frame(
        "Broadcasts",
        _create_form(),
        rx.cond(s.error != "", rx.callout(s.error, color_scheme="red", id="broadcast-error")),
        rx.cond(s.notice != "", rx.callout(s.notice, color_scheme="green", id="broadcast-notice")),
        rx.vstack(rx.foreach(s.rows, _campaign), id="broadcasts", width="100%"),
    )
