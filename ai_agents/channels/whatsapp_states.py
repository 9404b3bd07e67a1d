"""What linked-device connection events mean for the integration: the reason a person reads, and what happens next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ai_agents.channels.base import SendError
from ai_agents.channels.whatsapp_client import QRExpired

LOGGED_OUT_REASONS = {"LOGGED_OUT", "MAIN_DEVICE_GONE", "UNKNOWN_LOGOUT"}
BAN_REASONS = {
    "SEND_TO_TOO_MANY_PEOPLE": "sent to too many people",
    "BLOCKED_BY_USERS": "blocked by too many people",
    "CREATED_TOO_MANY_GROUPS": "created too many groups",
    "SENT_TOO_MANY_SAME_MESSAGE": "sent the same message too often",
    "BROADCAST_LIST": "broadcast list use",
}
NOT_SENT = ("not connected", "not logged in", "websocket", "connection closed", "no route")
MAYBE_SENT = ("timed out", "timeout", "deadline exceeded")
REFUSED = ("not on whatsapp", "invalid jid", "no devices", "item-not-found", "forbidden")


@dataclass(frozen=True)
class Halt:
    """The device stops: `reason` is its status text; it waits for a person (`pair`) unless
    `retry_after` says when it tries again by itself."""

    reason: str
    logged_out: bool = False  # the session is gone: the next start pairs anew
    retry_after: float | None = None


PASSING = Halt("a passing refusal: this client ends, a new one starts after a backoff")


def halt_for(event: Any, integration_id: int) -> Halt | None:
    """What a connection event means: a Halt (PASSING: only restart the client), or None for an
    event that is not about the connection ending."""
    name = type(event).__name__
    if isinstance(event, QRExpired):
        return qr_expired(integration_id, event.detail)
    if name == "LoggedOut":
        return logged_out(integration_id, enum_name(event, "Reason").lower().replace("_", " "))
    if name == "TemporaryBan":
        return banned(enum_name(event, "Code"), event.Expire)
    if name == "StreamReplaced":
        return stream_replaced(integration_id)
    if name == "ClientOutdated":
        return client_outdated(integration_id)
    if name == "ConnectFailure":
        return connect_failure(integration_id, enum_name(event, "Reason"), event.Message) or PASSING
    return None


def enum_name(event: Any, field: str) -> str:
    """The name of an enum field of a protobuf event (`LOGGED_OUT`), without importing neonize."""
    descriptor = type(event).DESCRIPTOR.fields_by_name[field].enum_type
    value = getattr(event, field)
    return descriptor.values_by_number[value].name if value in descriptor.values_by_number else str(value)


def pair_hint(integration_id: int) -> str:
    return f"POST /api/integrations/{integration_id}/pair"


def logged_out(integration_id: int, why: str) -> Halt:
    return Halt(
        f"logged out ({why}): the device was removed in WhatsApp > Linked devices, or its session "
        f"expired; {pair_hint(integration_id)} to link it again",
        logged_out=True,
    )


def qr_expired(integration_id: int, detail: str) -> Halt:
    what = "expired before it was scanned" if detail == "timeout" else f"was not accepted ({detail})"
    return Halt(f"the QR code {what}: {pair_hint(integration_id)} for a new one, or with "
                '{"phone": "+..."} for a code to type on the phone')


def banned(code: str, expire_seconds: int | None) -> Halt:
    why = BAN_REASONS.get(code, code.lower().replace("_", " "))
    when = f"for about {max(1, round(expire_seconds / 60))} min" if expire_seconds else "for a while"
    return Halt(
        f"WhatsApp temporarily banned this number ({why}) {when}; it reconnects after that. "
        "Send less, and only to people who expect your messages",
        retry_after=float(expire_seconds) if expire_seconds else 3600.0,
    )


def stream_replaced(integration_id: int) -> Halt:
    return Halt(
        "another connection took over this device's session (stream replaced): is another server "
        f"running with the same data? Stop it, then {pair_hint(integration_id)} to reconnect"
    )


def client_outdated(integration_id: int) -> Halt:
    return Halt(f"WhatsApp refused this client as outdated: upgrade neonize, then {pair_hint(integration_id)}")


def connect_failure(integration_id: int, reason: str, message: str) -> Halt | None:
    """A refused connection that needs a person (None: a passing failure, retried with backoff)."""
    if reason in LOGGED_OUT_REASONS:
        return logged_out(integration_id, reason.lower().replace("_", " "))
    if reason == "TEMP_BANNED":
        return banned(message or "TEMP_BANNED", None)
    if reason == "CLIENT_OUTDATED":
        return client_outdated(integration_id)
    return None


def send_error(reason: str, parts_sent: int) -> SendError:
    """A failed send as the outbox reads it: retried when nothing went out or WhatsApp may be back
    soon, failed at once when WhatsApp refused the recipient."""
    text = reason.lower()
    if any(mark in text for mark in REFUSED):
        return SendError(f"WhatsApp refused the message: {reason}", transient=False, parts_sent=parts_sent)
    unknown = any(mark in text for mark in MAYBE_SENT) and not any(mark in text for mark in NOT_SENT)
    return SendError(f"WhatsApp unavailable: {reason}", transient=True, parts_sent=parts_sent, outcome_unknown=unknown)
