"""Phone numbers in E.164 form, and WhatsApp addresses (JIDs) of phone users."""

from __future__ import annotations

import re

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_PHONE_SERVER = "s.whatsapp.net"
_SEPARATORS = re.compile(r"[\s().\-]")


def is_e164(value: str) -> bool:
    """Whether `value` is already a phone number in E.164 form (+ and 7 to 15 digits)."""
    return bool(_E164.match(value))


def to_e164(raw: str) -> str | None:
    """`raw` as E.164 (`+14155550100`), from `+1 (415) 555-0100`, `0014155550100`, `14155550100`
    or a phone JID `14155550100@s.whatsapp.net` / `14155550100:12@s.whatsapp.net`; None when it
    is not a phone number (a group, a LID, a broadcast list, text)."""
    value = raw.strip()
    if "@" in value:
        user, _, server = value.partition("@")
        if server != _PHONE_SERVER:
            return None
        value = user.split(":", 1)[0]
    value = _SEPARATORS.sub("", value)
    if value.startswith("00"):
        value = value[2:]
    if not value.startswith("+"):
        value = "+" + value
    return value if is_e164(value) else None


def phone_jid(e164: str) -> str:
    """The WhatsApp JID of a phone user: `+14155550100` → `14155550100@s.whatsapp.net`."""
    number = to_e164(e164)
    if number is None:
        raise ValueError(f"not a phone number in E.164 form: {e164!r}")
    return f"{number[1:]}@{_PHONE_SERVER}"
