"""WhatsApp Cloud API (Meta): token check, text sends, and its webhook's messages and statuses."""

from __future__ import annotations

from typing import Any

from ai_agents.channels.base import (
    AdapterSpec,
    DeliveryUpdate,
    Identity,
    InboundMessage,
    MessagingWindow,
    WebhookBatch,
)
from ai_agents.channels.meta_adapter import MetaAdapter, dicts, timestamp
from ai_agents.channels.meta_graph import GraphClient
from ai_agents.core.phone import to_e164
from ai_agents.core.types import MessageStatus, Provider

MEDIA_KINDS = ("image", "video", "document", "audio", "sticker", "location", "contacts")
STATUSES = {  # the Cloud API's status -> ours
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "read": MessageStatus.READ,
    "failed": MessageStatus.FAILED,
}


class WhatsAppCloudAdapter(MetaAdapter):
    """One business phone number of the Cloud API; its id is the integration's external_id."""

    provider = Provider.WHATSAPP_CLOUD
    webhook_name = "whatsapp"
    channel_label = "WhatsApp Cloud API"
    message_limit = 4096
    messaging_window = MessagingWindow(
        24, "WhatsApp delivers only approved message templates then, and this platform sends text; "
        "the customer must write first"
    )
    window_errors = ((131047, None),)  # "Re-engagement message"

    @classmethod
    async def identity(cls, client: GraphClient, spec: AdapterSpec) -> Identity:
        number_id = spec.config["phone_number_id"]
        data = await client.get(number_id, fields="display_phone_number,verified_name")
        shown = data.get("display_phone_number") or number_id
        name = data.get("verified_name")
        return Identity(external_id=str(data.get("id") or number_id), display_name=f"{shown} ({name})" if name else shown)

    async def send_one(self, recipient: str, text: str) -> str:
        body = {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": recipient.removeprefix("+"),
            "type": "text",
            "text": {"body": text, "preview_url": False},
        }
        data = await self._client.post(f"{self.spec.config['phone_number_id']}/messages", body)
        return str(dicts(data.get("messages"))[0].get("id"))

    @classmethod
    def parse_webhook(cls, payload: Any) -> list[WebhookBatch]:
        """`entry[].changes[].value` per phone number: customers' messages (their number in E.164,
        so a broadcast to +1234567890 and a message from 1234567890 are one conversation) and the
        statuses of what we sent."""
        batches: dict[str, WebhookBatch] = {}
        for entry in dicts(payload.get("entry") if isinstance(payload, dict) else None):
            for change in dicts(entry.get("changes")):
                value = change.get("value") if isinstance(change.get("value"), dict) else {}
                metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
                account = str(metadata.get("phone_number_id") or "")
                if not account:
                    continue
                batch = batches.setdefault(account, WebhookBatch(account))
                names = {c.get("wa_id"): (c.get("profile") or {}).get("name") for c in dicts(value.get("contacts"))}
                batch.messages.extend(m for m in (_inbound(m, names) for m in dicts(value.get("messages"))) if m)
                batch.updates.extend(u for u in (_update(s) for s in dicts(value.get("statuses"))) if u)
        return list(batches.values())


def _text_of(message: dict[str, Any]) -> str | None:
    """The text of a message, a media caption, a button's title, or a marker ('[image]');
    None for what is no customer text (reactions, system notices, unsupported types)."""
    kind = message.get("type")
    content = message.get(kind) if isinstance(kind, str) and isinstance(message.get(kind), dict) else {}
    if kind == "text":
        return content.get("body") or None
    if kind == "button":
        return content.get("text") or None
    if kind == "interactive":
        reply = content.get("button_reply") or content.get("list_reply") or {}
        return reply.get("title") if isinstance(reply, dict) else None
    if kind in MEDIA_KINDS:
        return content.get("caption") or f"[{kind}]"
    return None


def _inbound(message: dict[str, Any], names: dict[Any, Any]) -> InboundMessage | None:
    sender, message_id, text = message.get("from"), message.get("id"), _text_of(message)
    if not sender or not message_id or text is None:
        return None
    return InboundMessage(
        integration_id=0,
        remote_id=to_e164(str(sender)) or str(sender),
        text=str(text),
        external_id=str(message_id),
        timestamp=timestamp(message.get("timestamp")),
        sender_name=names.get(sender),
    )


def _update(status: dict[str, Any]) -> DeliveryUpdate | None:
    ours = STATUSES.get(status.get("status"))
    if ours is None or not status.get("id"):
        return None
    error = None
    if ours == MessageStatus.FAILED:
        problems = dicts(status.get("errors"))
        first = problems[0] if problems else {}
        details = (first.get("error_data") or {}).get("details") if isinstance(first.get("error_data"), dict) else None
        words = ": ".join(str(part) for part in (first.get("title"), details or first.get("message")) if part)
        error = f"WhatsApp could not deliver it (error {first.get('code', '?')}: {words or 'no reason given'})"
    return DeliveryUpdate(external_id=str(status["id"]), status=ours, error=error)
