"""Linked-device WhatsApp messages read for the pipeline: who wrote (E.164, or a LID), what, and what to skip."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ai_agents.core.phone import phone_jid, to_e164

PHONE_SERVER, LID_SERVER, GROUP_SERVER = "s.whatsapp.net", "lid", "g.us"
BROADCAST_SERVER, NEWSLETTER_SERVER = "broadcast", "newsletter"  # status@broadcast, broadcast lists; channels
CAPTIONED = ("imageMessage", "videoMessage", "documentMessage")
MEDIA = (
    ("imageMessage", "image"), ("videoMessage", "video"), ("ptvMessage", "video"), ("audioMessage", "audio"),
    ("documentMessage", "document"), ("stickerMessage", "sticker"), ("locationMessage", "location"),
    ("liveLocationMessage", "location"), ("contactMessage", "contact"), ("contactsArrayMessage", "contact"),
)
WRAPPERS = ("ephemeralMessage", "viewOnceMessage", "viewOnceMessageV2", "documentWithCaptionMessage")


def jid_text(jid: Any) -> str:
    """A JID as text: `user@server`, with `:device` for a device's own JID; "" for none."""
    if not jid.User:
        return f"{jid.Server}" if jid.Server else ""
    device = f":{jid.Device}" if jid.Device else ""
    return f"{jid.User}{device}@{jid.Server}"


def account_of(jid: Any) -> str:
    """The account's address without the device part (`15550001111@s.whatsapp.net`)."""
    return f"{jid.User}@{jid.Server}" if jid.User else ""


def message_text(message: Any) -> str | None:
    """The text, a caption, or a marker of what the message carries (`[image]`); None for what is
    not a customer's message (reactions, edits, deletions, receipts of other kinds)."""
    if message.conversation:
        return message.conversation
    if message.HasField("extendedTextMessage") and message.extendedTextMessage.text:
        return message.extendedTextMessage.text
    for name in CAPTIONED:
        if message.HasField(name) and getattr(message, name).caption:
            return getattr(message, name).caption
    for name, kind in MEDIA:
        if message.HasField(name):
            return f"[{kind}]"
    for name in WRAPPERS:
        if message.HasField(name) and getattr(message, name).HasField("message"):
            return message_text(getattr(message, name).message)
    return None


def skip_reason(source: Any, accept_groups: bool) -> str | None:
    """Why a message is not for the agent (None: it is): our own, a status, a group by default."""
    if source.IsFromMe:
        return "own message"
    if source.Chat.Server == BROADCAST_SERVER:
        return "status update or broadcast list"
    if source.Chat.Server == NEWSLETTER_SERVER:
        return "channel post"
    if (source.IsGroup or source.Chat.Server == GROUP_SERVER) and not accept_groups:
        return "group message (groups are off for this device)"
    return None


def group_chat(source: Any) -> str | None:
    """The group's address when the message was written in a group."""
    return account_of(source.Chat) if source.IsGroup or source.Chat.Server == GROUP_SERVER else None


def sender_phone(source: Any) -> str | None:
    """The sender's phone number (E.164) when WhatsApp gave it: as the sender, or as the alternate
    address of a LID sender."""
    for jid in (source.Sender, source.SenderAlt):
        if jid.Server == PHONE_SERVER and (number := to_e164(account_of(jid))):
            return number
    return None


def sender_lid(source: Any) -> str | None:
    """The sender's LID (hidden) address, if it wrote as one."""
    for jid in (source.Sender, source.SenderAlt):
        if jid.Server == LID_SERVER and jid.User:
            return account_of(jid)
    return None


def sent_at(info: Any) -> datetime:
    """When the customer sent it (neonize gives Unix milliseconds)."""
    if info.Timestamp:
        return datetime.fromtimestamp(info.Timestamp / 1000, tz=timezone.utc)
    return datetime.now(timezone.utc)


def recipient_jid(recipient: str) -> str | None:
    """Where a send goes: a phone number in E.164 to its phone JID; a LID or group address as it
    is; None when it is neither."""
    user, _, server = recipient.partition("@")
    if server in (LID_SERVER, GROUP_SERVER):
        return recipient if user else None
    number = to_e164(recipient)  # `+15550001111` or `15550001111@s.whatsapp.net`
    return phone_jid(number) if number else None
