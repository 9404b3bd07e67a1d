"""Broadcasts page: a campaign from pasted or uploaded (CSV) recipients, previewed, then sent now or
scheduled; every campaign's live progress, its failed and skipped recipients, cancel."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import reflex as rx

from ai_agents.core.errors import AppError, FieldProblem, ValidationFailed
from ai_agents.services.outbound import broadcasts
from ai_agents.services.outbound.broadcast_recipients import INVALID_LISTED, MAX_CSV_BYTES, read_recipients_csv
from ai_agents.services.validation import parse
from ai_agents.services.workspace import agents
from ai_agents.ui.components.campaigns import campaign_card, create_form, preview_card, recipient_problems
from ai_agents.ui.components.common import short_time
from ai_agents.ui.layout import page_frame
from ai_agents.ui.live import tab_bursts
from ai_agents.ui.platform import call_service, platform_context

LIVE_KINDS = ("outbox_sent", "outbox_failed")
REFRESH_EVERY = 0.5  # seconds between progress refreshes while a campaign sends
RECIPIENT_SEPARATORS = re.compile(r"[\s,;]+")
PROBLEMS_SHOWN = 100  # failed or skipped recipients listed under a campaign


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
        "problems": view["failed"] + view["skipped"],
        "cancellable": view["status"] in ("pending", "processing"),
        "when": short_time(view["created_at"]),
        "scheduled": f"scheduled for {short_time(view['scheduled_at'])} UTC" if view["status"] == "pending"
                     and view["scheduled_at"] else "",
    }


def scheduled_moment(local: str, zone: str) -> datetime:
    """`2026-12-01T09:30` on the wall clock of `zone` (IANA), as an aware datetime; errors name the field."""
    try:
        tz = ZoneInfo(zone.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed([FieldProblem(
            "timezone", f"unknown timezone {zone!r}, expected an IANA name such as 'Europe/Berlin'")]) from None
    try:
        return datetime.fromisoformat(local.strip()).replace(tzinfo=tz)
    except ValueError:
        raise ValidationFailed([FieldProblem("scheduled_at", "choose a date and time")]) from None


def _problem_row(view: dict) -> dict:
    return {"recipient": view["recipient"], "status": view["status"], "error": view["error"] or ""}


class BroadcastsState(rx.State):
    """The campaigns shown, the draft being previewed, the uploaded recipients: UI state only."""

    rows: list[dict] = []
    agent_options: list[list[str]] = []
    error: str = ""
    notice: str = ""
    zone: str = "UTC"  # the browser's, for "schedule for later"
    upload_summary: str = ""
    preview: dict = {}
    preview_skipped: list[dict] = []
    problems_of: int = 0  # the campaign whose failed and skipped recipients are listed
    problems: list[dict] = []
    _uploaded: list[str] = []
    _uploaded_names: dict[str, str] = {}
    _upload_problems: list[str] = []
    _draft: dict = {}

    async def _refresh(self) -> None:
        self.rows = [_campaign_row(b) for b in await call_service(_campaigns)]

    @rx.event
    async def load(self):
        listed, _total = await call_service(agents.list_agents, limit=500)
        self.agent_options = [[str(a["id"]), a["name"]] for a in listed]
        await self._refresh()
        return rx.call_script("Intl.DateTimeFormat().resolvedOptions().timeZone", callback=BroadcastsState.set_zone)

    @rx.event
    def set_zone(self, zone: str):
        try:
            self.zone = ZoneInfo(str(zone)).key
        except (ZoneInfoNotFoundError, ValueError):
            self.zone = "UTC"

    @rx.event
    async def upload_csv(self, files: list[rx.UploadFile]):
        """Recipients (and names) from a CSV file, read off the event loop; replaces an earlier file."""
        if not files:
            return
        data = await files[0].read(MAX_CSV_BYTES + 1)
        try:
            recipients, names, problems = await asyncio.to_thread(read_recipients_csv, data)
        except ValidationFailed as exc:
            self.error, self.upload_summary = exc.message, ""
            self._uploaded, self._uploaded_names, self._upload_problems = [], {}, []
            return
        self._uploaded, self._uploaded_names, self._upload_problems = recipients, names, problems
        without = f", {len(problems)} rows without a recipient" if problems else ""
        self.upload_summary = f"{files[0].name or 'file'}: {len(recipients)} recipients, {len(names)} with a name{without}"
        self.error, self.preview = "", {}

    @rx.event
    def clear_upload(self):
        self._uploaded, self._uploaded_names, self._upload_problems = [], {}, []
        self.upload_summary, self.preview = "", {}

    @rx.event
    async def preview_campaign(self, form_data: dict):
        """Check the form and show what sending it would do; nothing is created yet."""
        typed = [r for r in RECIPIENT_SEPARATORS.split(str(form_data.get("recipients", ""))) if r]
        agent_id = str(form_data.get("agent_id", ""))
        try:
            if not agent_id.isdigit():
                raise ValidationFailed([FieldProblem("agent", "choose the agent whose channel sends the campaign")])
            scheduled_at = None
            if form_data.get("when") == "later":
                scheduled_at = scheduled_moment(str(form_data.get("scheduled_at", "")), str(form_data.get("timezone", "")))
                if scheduled_at <= platform_context().clock.now():
                    raise ValidationFailed([FieldProblem("scheduled_at", "is in the past; choose a later time or Send now")])
            body = parse(broadcasts.BroadcastCreate, {
                "message": str(form_data.get("message", "")), "integration_type": str(form_data.get("channel", "telegram")),
                "recipients": typed + self._uploaded, "names": self._uploaded_names,
                "name": str(form_data.get("name", "")), "scheduled_at": scheduled_at})
            found = await call_service(broadcasts.preview_broadcast, int(agent_id), body)
        except AppError as exc:
            self.error, self.preview = exc.message, {}
            return
        self._draft = {"agent_id": int(agent_id), "body": body.model_dump(mode="json")}
        rows = [{"recipient": p, "reason": "not in the campaign"} for p in self._upload_problems[:INVALID_LISTED]]
        self.preview_skipped = (rows + found["skipped"])[:INVALID_LISTED]
        self.preview = {
            "valid": found["valid"], "invalid": found["invalid"] + len(self._upload_problems),
            "opted_out": found["opted_out"], "duplicates": found["duplicates"],
            "sample": found["sample"]["text"] if found["sample"] else "",
            "when": f"{scheduled_at:%d %b %Y %H:%M} {scheduled_at.tzinfo}" if scheduled_at else "",
        }
        self.error, self.notice = "", ""

    @rx.event
    def discard_preview(self):
        self.preview, self._draft = {}, {}

    @rx.event
    async def confirm(self):
        """Create the campaign that was previewed (send now or at its time)."""
        if not self._draft:
            return
        draft = self._draft
        try:
            body = parse(broadcasts.BroadcastCreate, draft["body"])
            created = await call_service(broadcasts.create_broadcast, draft["agent_id"], body)
        except AppError as exc:
            self.error = exc.message
            return
        later = " (scheduled)" if body.scheduled_at else ""
        self.error, self.notice = "", f"Campaign {created['id']} created for {created['total']} recipients{later}"
        self.preview, self._draft = {}, {}
        await self._refresh()

    @rx.event
    async def cancel(self, agent_id: int, broadcast_id: int):
        try:
            await call_service(broadcasts.cancel_broadcast, agent_id, broadcast_id)
        except AppError as exc:
            self.error = exc.message
        await self._refresh()

    @rx.event
    async def show_problems(self, agent_id: int, broadcast_id: int):
        """The campaign's failed and skipped recipients with the reason (toggles)."""
        if self.problems_of == broadcast_id:
            self.problems_of, self.problems = 0, []
            return
        found = []
        for wanted in ("failed", "skipped"):
            found += await call_service(broadcasts.list_recipients, agent_id, broadcast_id, limit=PROBLEMS_SHOWN,
                                        offset=0, status=wanted)
        self.problems_of, self.problems = broadcast_id, [_problem_row(v) for v in found[:PROBLEMS_SHOWN]]

    @rx.event(background=True)
    async def follow(self):
        """Progress bars move as the campaign's sends are recorded (a few refreshes a second)."""
        async with tab_bursts(self, LIVE_KINDS, min_interval=REFRESH_EVERY) as bursts:
            async for _burst in bursts:
                rows = [_campaign_row(b) for b in await call_service(_campaigns)]
                async with self:
                    self.rows = rows


def broadcasts_page() -> rx.Component:
    s = BroadcastsState
    return page_frame(
        "Broadcasts",
        create_form(s),
        rx.cond(s.error != "", rx.callout(s.error, color_scheme="red", id="broadcast-error")),
        rx.cond(s.preview.length() > 0, preview_card(s)),
        rx.cond(s.notice != "", rx.callout(s.notice, color_scheme="green", id="broadcast-notice")),
        rx.vstack(rx.foreach(s.rows, lambda row: campaign_card(s, row, recipient_problems(s, row))),
                  id="broadcasts", width="100%"),
    )
