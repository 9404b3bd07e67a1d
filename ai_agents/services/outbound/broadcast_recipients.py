"""A campaign's recipients: the rules per channel, names for {name}, checked (for a preview too), read from CSV."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from ai_agents.core.errors import FieldProblem, ValidationFailed
from ai_agents.core.phone import to_e164
from ai_agents.core.types import ChannelType

RECIPIENT_RULES = {  # channel -> (pattern, what a person should send)
    ChannelType.WHATSAPP: (re.compile(r"^\+[1-9]\d{6,14}$"), "a phone number in E.164 form, e.g. +14155550100"),
    ChannelType.TELEGRAM: (re.compile(r"^-?\d{1,20}$"), "a numeric Telegram chat id, e.g. 123456789"),
    ChannelType.INSTAGRAM: (re.compile(r"^\d{5,30}$"), "an Instagram-scoped user id (digits)"),
}
RECIPIENT_MAX_CHARS = 64  # the longest valid recipient is 31 characters
NAME_MAX_CHARS = 200
MAX_CSV_BYTES = 8 * 1024 * 1024  # 100,000 rows of a phone number and a name fit easily
RECIPIENT_COLUMNS = ("recipient", "phone", "phone_number", "chat_id", "chat id", "user_id", "id", "number", "to")
NAME_COLUMNS = ("name", "first_name", "first name", "full_name", "full name", "contact_name")
INVALID_LISTED = 100  # invalid recipients named one by one in a preview; the rest are counted


def normalise(channel: str, recipient: str) -> str:
    text = recipient.strip()
    if channel == ChannelType.WHATSAPP:  # +1 (555) 000-1111, 0015550001111, 15550001111@s.whatsapp.net
        text = to_e164(text) or re.sub(r"[\s\-().]", "", text)
    return text


def personalise(message: str, name: str | None) -> str:
    """{name} becomes the name; without one it is left out cleanly ("Hi {name}, ..." -> "Hi, ...")."""
    name = (name or "").strip()
    text = message.replace("{name}", name)
    # (?<!\s): a match starts only where a whitespace run starts, so long runs stay linear
    return re.sub(r"(?<!\s)\s++([,!.?])", r"\1", re.sub(r" {2,}", " ", text)).strip() if not name else text


@dataclass
class Checked:
    """Recipients in their order, normalised, once each: `names` maps every one kept to its name
    (None: none given); `invalid` those that break the channel's rule, with the reason."""

    names: dict[str, str | None] = field(default_factory=dict)
    invalid: dict[str, str] = field(default_factory=dict)
    duplicates: int = 0


def check_recipients(channel: str, recipients: list[str], names: dict[str, str] | None = None) -> Checked:
    """The recipients normalised and de-duplicated (first one kept), each with its name (`names` is
    keyed by recipient as given or normalised); a name for no recipient is an error naming it."""
    pattern, expected = RECIPIENT_RULES[ChannelType(channel)]
    given = {normalise(channel, key): value.strip() or None for key, value in (names or {}).items()}
    checked = Checked()
    for raw in recipients:
        recipient = normalise(channel, raw)
        if recipient in checked.names:
            checked.duplicates += 1
            continue
        checked.names[recipient] = given.get(recipient)
        if not pattern.match(recipient):
            checked.invalid[recipient] = f"invalid recipient {recipient!r}: expected {expected}"
    strays = [key for key in (names or {}) if normalise(channel, key) not in checked.names]
    if strays:
        raise ValidationFailed([FieldProblem(f"names.{key}", "is not one of the recipients") for key in strays[:20]])
    return checked


def read_recipients_csv(data: bytes) -> tuple[list[str], dict[str, str], list[str]]:
    """The recipients of a CSV file, their names, and the rows that give no recipient ("row 4: no
    recipient"). A header names the recipient column (phone, chat_id, recipient ...) and optionally
    a name column; without a header the recipient comes first and the name second. Separators `,`
    `;` or tab; UTF-8 (a BOM is fine); empty lines are skipped. Not such a CSV: refused naming `file`."""
    if len(data) > MAX_CSV_BYTES:
        raise _bad(f"is {len(data) / 1e6:.1f} MB; at most {MAX_CSV_BYTES // (1024 * 1024)} MB, split larger lists")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _bad(f"is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8") from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text), delimiter=max(",;\t", key=first.count))
    rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise _bad("has no rows")
    header = [cell.strip().lower() for cell in rows[0][1]]
    recipient_at = next((header.index(c) for c in RECIPIENT_COLUMNS if c in header), None)
    name_at = next((header.index(c) for c in NAME_COLUMNS if c in header), None)
    if recipient_at is not None:
        rows = rows[1:]
    elif name_at is not None:
        raise _bad(f"has a name column but no recipient column; call it one of: {', '.join(RECIPIENT_COLUMNS[:6])}")
    else:
        recipient_at, name_at = 0, 1  # no header: recipient, name
    recipients, names, problems = [], {}, []
    for line, row in rows:
        recipient = row[recipient_at].strip() if recipient_at < len(row) else ""
        name = row[name_at].strip() if name_at is not None and name_at < len(row) else ""
        if not recipient:
            problems.append(f"row {line}: no recipient")
        elif len(recipient) > RECIPIENT_MAX_CHARS or len(name) > NAME_MAX_CHARS:
            problems.append(f"row {line}: longer than {RECIPIENT_MAX_CHARS} characters (recipient) "
                            f"or {NAME_MAX_CHARS} (name)")
        else:
            recipients.append(recipient)
            if name:
                names.setdefault(recipient, name)
    return recipients, names, problems


def _bad(message: str) -> ValidationFailed:
    return ValidationFailed([FieldProblem("file", message)])
