"""Webhook bodies shaped like Meta's documented examples (WhatsApp Cloud API, Instagram), and their signature."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import httpx

WABA_ID = "102290129340398"  # the WhatsApp Business Account that owns the phone numbers


def sign(body: bytes, app_secret: str) -> str:
    """X-Hub-Signature-256 as Meta computes it: HMAC-SHA256 of the raw body with the App Secret."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


async def post_signed(api: httpx.AsyncClient, path: str, payload: dict[str, Any], app_secret: str | None,
                      *, signature: str | None = None) -> httpx.Response:
    """POST the payload as Meta does: compact JSON, signed with `app_secret` (or `signature` as given)."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json"}
    if signature is not None or app_secret is not None:
        headers["X-Hub-Signature-256"] = signature if signature is not None else sign(body, app_secret)
    return await api.post(path, content=body, headers=headers)


# ---------------------------------------------------------------- WhatsApp Cloud API
def wa_text(sender: str, text: str, message_id: str, *, at: int | None = None) -> dict[str, Any]:
    return {"from": sender, "id": message_id, "timestamp": str(at or int(time.time())), "type": "text",
            "text": {"body": text}}


def wa_image(sender: str, message_id: str, caption: str | None = None) -> dict[str, Any]:
    image: dict[str, Any] = {"mime_type": "image/jpeg", "sha256": "abc", "id": "1003383421387256"}
    if caption:
        image["caption"] = caption
    return {"from": sender, "id": message_id, "timestamp": str(int(time.time())), "type": "image", "image": image}


def wa_reaction(sender: str, message_id: str, to_message: str) -> dict[str, Any]:
    return {"from": sender, "id": message_id, "timestamp": str(int(time.time())), "type": "reaction",
            "reaction": {"message_id": to_message, "emoji": "\U0001f44d"}}


def wa_status(message_id: str, status: str, recipient: str, errors: list[dict] | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"id": message_id, "status": status, "timestamp": str(int(time.time())),
                            "recipient_id": recipient}
    if status in ("sent", "delivered"):
        item["conversation"] = {"id": "CONVERSATION_ID", "origin": {"type": "service"}}
        item["pricing"] = {"billable": True, "pricing_model": "CBP", "category": "service"}
    if errors:
        item["errors"] = errors
    return item


def wa_error(code: int, title: str, details: str) -> dict[str, Any]:
    return {"code": code, "title": title, "message": title, "error_data": {"details": details}}


def wa_change(phone_number_id: str, *, messages: list[dict] = (), statuses: list[dict] = (),
              names: dict[str, str] | None = None, display_phone_number: str = "15550100000") -> dict[str, Any]:
    """One `changes[]` item of the `messages` field for one business phone number."""
    value: dict[str, Any] = {"messaging_product": "whatsapp",
                             "metadata": {"display_phone_number": display_phone_number,
                                          "phone_number_id": phone_number_id}}
    if messages:
        senders = names or {}
        value["contacts"] = [{"profile": {"name": senders.get(m["from"], "Customer")}, "wa_id": m["from"]}
                             for m in messages]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {"value": value, "field": "messages"}


def wa_payload(*changes: dict[str, Any], entries: int = 1) -> dict[str, Any]:
    """`{"object": "whatsapp_business_account", "entry": [...]}`; the changes are spread over
    `entries` entries (Meta batches several entries and changes in one call)."""
    groups = [list(changes[i::entries]) for i in range(entries)]
    return {"object": "whatsapp_business_account",
            "entry": [{"id": WABA_ID, "changes": group} for group in groups if group]}


# ---------------------------------------------------------------- Instagram
def ig_message(sender: str, account_id: str, text: str, mid: str, *, is_echo: bool = False) -> dict[str, Any]:
    message: dict[str, Any] = {"mid": mid, "text": text}
    if is_echo:
        message["is_echo"] = True
        sender, account_id = account_id, sender  # an echo goes from our account to the customer
    return {"sender": {"id": sender}, "recipient": {"id": account_id},
            "timestamp": int(time.time() * 1000), "message": message}


def ig_payload(account_id: str, *events: dict[str, Any]) -> dict[str, Any]:
    return {"object": "instagram",
            "entry": [{"id": account_id, "time": int(time.time() * 1000), "messaging": list(events)}]}
