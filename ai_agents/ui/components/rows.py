"""Service views turned into the flat rows the pages show (labels, marks, times as text)."""

from __future__ import annotations

from typing import Any

from ai_agents.core.types import MessageStatus, Role
from ai_agents.ui.components.common import sentiment_mark, short_time

KIND_LABELS = {"away": "Away message", "follow_up": "Follow-up", "broadcast": "Broadcast", "alert": "Alert"}
STATUS_LABELS = {
    MessageStatus.QUEUED: "queued",
    MessageStatus.SENT: "sent",
    MessageStatus.FAILED: "failed",
    MessageStatus.SUGGESTED: "AI suggestion",
    MessageStatus.SUGGESTION_SENT: "suggestion sent",
    MessageStatus.DISCARDED: "discarded",
}


def conversation_row(view: dict[str, Any]) -> dict[str, Any]:
    who = view.get("contact_name") or view.get("contact_username") or view["remote_jid"]
    return {
        "id": view["id"],
        "contact": who,
        "channel": view["channel"],
        "agent": view.get("agent_name") or "",
        "last_message": (view.get("last_message") or "")[:120],
        "unread": view.get("unread", 0),
        "manual_mode": view["manual_mode"],
        "escalated": view["escalated"],
        "when": short_time(view.get("last_message_at")),
    }


def message_row(view: dict[str, Any]) -> dict[str, Any]:
    role, kind = view["role"], view["kind"]
    if role == Role.USER:
        label = "Customer"
    elif kind in KIND_LABELS:
        label = KIND_LABELS[kind]
    elif role == Role.MANAGER:
        label = f"Manager · {view.get('author') or 'manager'}"
    elif role == Role.SYSTEM:
        label = "System"
    else:
        label = "AI agent"
    status = "" if role == Role.USER else STATUS_LABELS.get(view["status"], view["status"])
    return {
        "id": view["id"],
        "label": label,
        "customer": role == Role.USER,
        "automatic": kind in KIND_LABELS or role == Role.SYSTEM,
        "text": view["text"],
        "translation": view.get("translation") or "",
        "status": status,
        "failed": view["status"] == MessageStatus.FAILED,
        "error": view.get("error") or "",
        "suggestion": view["status"] == MessageStatus.SUGGESTED,
        "when": short_time(view.get("created_at")),
        **sentiment_mark(view.get("sentiment") if role == Role.USER else None),
    }


def note_row(view: dict[str, Any]) -> dict[str, Any]:
    return {"id": view["id"], "author": view["author"], "text": view["notes"], "when": short_time(view["created_at"])}


ALERT_COLORS = {"negative_sentiment": "orange", "escalation": "red", "llm_failure": "red", "delivery_failure": "red"}


def alert_row(view: dict[str, Any]) -> dict[str, Any]:
    conversation_id = view.get("conversation_id") or 0
    return {
        "id": view["id"],
        "kind": view["kind"].replace("_", " "),
        "color": ALERT_COLORS.get(view["kind"], "gray"),
        "text": view["text"],
        "contact": view.get("contact") or f"conversation {conversation_id}",
        "conversation_id": conversation_id,
        "href": f"/live-chat?c={conversation_id}" if conversation_id else "",
        "acknowledged": view["acknowledged"],
        "when": short_time(view.get("created_at")),
    }
