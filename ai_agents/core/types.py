"""Names shared across the platform: channels, roles and the states of things."""

from __future__ import annotations

from enum import StrEnum


class ChannelType(StrEnum):
    """What the customer uses; the plan's `integration_type`."""

    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    INSTAGRAM = "instagram"


class Provider(StrEnum):
    """How we talk to a channel; one adapter per provider."""

    TELEGRAM_BOT = "telegram_bot"
    WHATSAPP_DEVICE = "whatsapp_device"  # linked device by QR code
    WHATSAPP_CLOUD = "whatsapp_cloud"  # Meta Cloud API
    INSTAGRAM = "instagram"  # Meta Graph API (page)
    PLAYGROUND = "playground"  # the workspace's "try this agent" box: no network


# The channel of an agent's try box (not a ChannelType: no customer uses it, no API body names it).
PLAYGROUND_CHANNEL = "playground"


PROVIDER_CHANNEL = {
    Provider.TELEGRAM_BOT: ChannelType.TELEGRAM,
    Provider.WHATSAPP_DEVICE: ChannelType.WHATSAPP,
    Provider.WHATSAPP_CLOUD: ChannelType.WHATSAPP,
    Provider.INSTAGRAM: ChannelType.INSTAGRAM,
}


class IntegrationStatus(StrEnum):
    """Live state of an integration, as its adapter last reported it."""

    STOPPED = "stopped"  # not enabled, or stopped by a person
    STARTING = "starting"
    CONNECTED = "connected"  # running and reachable
    WAITING_QR = "waiting_qr"  # linked device waiting for its QR code to be scanned
    ERROR = "error"  # enabled but failing; last_error says why


class Role(StrEnum):
    """Who wrote a message in a conversation."""

    USER = "user"  # the customer
    ASSISTANT = "assistant"  # the AI agent
    MANAGER = "manager"  # a person from the team
    SYSTEM = "system"  # automatic texts: away message, follow-up, broadcast


class MessageStatus(StrEnum):
    """Delivery state of a stored message."""

    RECEIVED = "received"  # stored, not yet handled by the pipeline
    HANDLED = "handled"  # the pipeline is done with it (replied, or decided not to)
    QUEUED = "queued"  # outgoing, waiting in the outbox
    SENT = "sent"
    DELIVERED = "delivered"  # the channel reports it reached the customer's device
    READ = "read"  # the channel reports the customer read it
    FAILED = "failed"
    # An AI reply kept for a manager instead of sent (the conversation was taken over while it
    # was being written); no outbox row until a manager sends it.
    SUGGESTED = "suggested"
    SUGGESTION_SENT = "suggestion_sent"  # a manager sent it (as a new manager message)
    DISCARDED = "discarded"  # a manager dropped it


class OutboxStatus(StrEnum):
    """State of one outgoing send."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # never sent on purpose: invalid recipient, opted out


class BroadcastStatus(StrEnum):
    """State of a broadcast campaign."""

    PENDING = "pending"
    PROCESSING = "processing"
    COMPLETED = "completed"
    COMPLETED_WITH_ERRORS = "completed_with_errors"
    CANCELLED = "cancelled"
    FAILED = "failed"


class AlertKind(StrEnum):
    """Why a person should look at something."""

    NEGATIVE_SENTIMENT = "negative_sentiment"
    ESCALATION = "escalation"
    LLM_FAILURE = "llm_failure"
    DELIVERY_FAILURE = "delivery_failure"
    INTEGRATION_DOWN = "integration_down"
    DEAD_LETTER = "dead_letter"  # an incoming update failed every time and was set aside
