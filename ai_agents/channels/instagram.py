"""Instagram DMs through a Facebook Page (Graph API): token check, sends, and its webhook's messages."""

from __future__ import annotations

from typing import Any

from ai_agents.channels.base import (
    AdapterSpec,
    Identity,
    InboundMessage,
    MessagingWindow,
    WebhookBatch,
    WebhookSecrets,
)
from ai_agents.channels.meta_adapter import MetaAdapter, dicts, timestamp
from ai_agents.channels.meta_graph import GraphClient
from ai_agents.core.types import Provider


class InstagramAdapter(MetaAdapter):
    """The Instagram professional account of one Page; the page id is the integration's external_id,
    the Instagram account id (which the webhooks name) is kept in config["webhook_ids"]."""

    provider = Provider.INSTAGRAM
    webhook_name = "instagram"
    channel_label = "Instagram"
    message_limit = 1000  # Instagram refuses longer texts
    messaging_window = MessagingWindow(
        24, "Instagram accepts messages only within 24 hours of the customer's last message"
    )
    window_errors = ((10, 2018278),)  # "This message is sent outside of allowed window"

    @classmethod
    async def identity(cls, client: GraphClient, spec: AdapterSpec) -> Identity:
        page_id = spec.config["page_id"]
        data = await client.get(page_id, fields="id,name,instagram_business_account")
        account = data.get("instagram_business_account")
        account_id = account.get("id") if isinstance(account, dict) else None
        return Identity(
            external_id=str(data.get("id") or page_id),
            display_name=str(data.get("name") or page_id),
            config={"webhook_ids": [str(account_id)]} if account_id else {},
        )

    async def send_one(self, recipient: str, text: str) -> str:
        body = {"recipient": {"id": recipient}, "messaging_type": "RESPONSE", "message": {"text": text}}
        data = await self._client.post(f"{self.spec.config['page_id']}/messages", body)
        return str(data.get("message_id"))

    @classmethod
    def webhook_secrets(cls, credentials: dict[str, str], settings: Any) -> WebhookSecrets:
        """The integration's own app_secret / verify_token, else INSTAGRAM_APP_SECRET / INSTAGRAM_VERIFY_TOKEN."""
        own_secret, own_token = credentials.get("app_secret"), credentials.get("verify_token")
        return WebhookSecrets(
            own_secret or settings.instagram_app_secret or None,
            "the integration's app_secret" if own_secret else "INSTAGRAM_APP_SECRET",
            own_token or settings.instagram_verify_token or None,
            "the integration's verify_token" if own_token else "INSTAGRAM_VERIFY_TOKEN",
        )

    @classmethod
    def parse_webhook(cls, payload: Any) -> list[WebhookBatch]:
        """`entry[].messaging[]` per Instagram account: customers' DMs; our own sends come back
        as echoes (`is_echo`) and are skipped, as are reactions, reads and deleted messages."""
        batches: dict[str, WebhookBatch] = {}
        for entry in dicts(payload.get("entry") if isinstance(payload, dict) else None):
            account = str(entry.get("id") or "")
            if not account:
                continue
            batch = batches.setdefault(account, WebhookBatch(account))
            batch.messages.extend(m for m in (_inbound(event) for event in dicts(entry.get("messaging"))) if m)
        return list(batches.values())


def _inbound(event: dict[str, Any]) -> InboundMessage | None:
    message = event.get("message")
    sender = event.get("sender") if isinstance(event.get("sender"), dict) else {}
    if not isinstance(message, dict) or message.get("is_echo") or message.get("is_deleted"):
        return None
    text = message.get("text")
    if not text:
        attachments = dicts(message.get("attachments"))
        text = f"[{attachments[0].get('type') or 'attachment'}]" if attachments else None
    if not text or not sender.get("id") or not message.get("mid"):
        return None
    return InboundMessage(
        integration_id=0,
        remote_id=str(sender["id"]),
        text=str(text),
        external_id=str(message["mid"]),
        timestamp=timestamp(event.get("timestamp"), milliseconds=True),
    )
