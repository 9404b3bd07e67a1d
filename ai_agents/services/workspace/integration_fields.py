"""Which fields of a new integration each provider needs, and which are credentials (encrypted) or config."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ai_agents.core.errors import FieldProblem, ValidationFailed
from ai_agents.core.phone import to_e164
from ai_agents.core.types import Provider

META_APP = "in your Meta app"
REQUIRED: dict[str, dict[str, str]] = {  # provider -> field -> where a person finds it
    Provider.TELEGRAM_BOT: {"token": "the token from @BotFather"},
    Provider.WHATSAPP_DEVICE: {},  # linked by a person afterwards (QR code, or a code for `phone`)
    Provider.WHATSAPP_CLOUD: {
        "phone_number_id": f"WhatsApp > API Setup {META_APP}: the Phone number ID",
        "access_token": "a system user's permanent access token with whatsapp_business_messaging",
        "app_secret": f"App settings > Basic > App Secret {META_APP}; it checks the webhooks' signatures",
        "verify_token": "any random text; enter the same as the Verify token of the app's WhatsApp webhook",
    },
    Provider.INSTAGRAM: {
        "page_id": "the id of the Facebook Page linked to the Instagram professional account",
        "access_token": "the Page's access token with instagram_manage_messages",
    },
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    Provider.TELEGRAM_BOT: ("api_base_url",),
    Provider.WHATSAPP_DEVICE: ("phone",),
    Provider.WHATSAPP_CLOUD: ("api_base_url",),
    Provider.INSTAGRAM: ("api_base_url", "app_secret", "verify_token"),
}
CREDENTIALS = ("token", "access_token", "app_secret", "verify_token")  # encrypted at rest, never shown
# Secrets a provider may take per integration instead of from the environment (Instagram).
OPTIONAL_SECRETS: dict[str, set[str]] = {Provider.INSTAGRAM: {"app_secret", "verify_token"}}
COMMON = ("type", "name", "rate_limit_per_second", "per_chat_rate_limit_per_second", "is_enabled")  # any provider
NOT_CONFIG = ("type", "name", "is_enabled")  # columns of their own
CONFIG_KEYS = {"phone": "pair_phone"}  # field -> its config key, where they differ
PHONE_EXPECTED = "must be a phone number in E.164 form, e.g. +14155550100"
WEBHOOK_PATHS = {Provider.WHATSAPP_CLOUD: "/api/webhooks/whatsapp", Provider.INSTAGRAM: "/api/webhooks/instagram"}


def check_fields(provider: str, data: BaseModel) -> None:
    """Every field the provider needs is given, and none it does not use."""
    needed = REQUIRED.get(provider, {})
    problems = [
        FieldProblem(name, f"is required for {data.type} ({where})")
        for name, where in needed.items()
        if not getattr(data, name)
    ]
    allowed = {*needed, *OPTIONAL.get(provider, ()), *COMMON}
    problems += [
        FieldProblem(name, f"is not used by {data.type} integrations; leave it out")
        for name in sorted(data.model_fields_set - allowed)
        if getattr(data, name) is not None
    ]
    if "phone" in allowed and data.phone is not None and to_e164(data.phone) is None:
        problems.append(FieldProblem("phone", PHONE_EXPECTED))
    if problems:
        raise ValidationFailed(problems)


def e164_phone(raw: str) -> str:
    """`raw` (a phone number a device pairs with) in E.164 form; ValidationFailed names `phone`."""
    phone = to_e164(raw)
    if phone is None:
        raise ValidationFailed([FieldProblem("phone", PHONE_EXPECTED)])
    return phone


def split_fields(data: BaseModel) -> tuple[dict[str, str], dict[str, Any]]:
    """(credentials, config) of a new integration: secrets apart, the rest as config (a phone
    number in E.164 form)."""
    values = {name: value for name, value in data.model_dump().items() if value not in (None, "")}
    if "phone" in values:
        values["phone"] = e164_phone(values["phone"])
    credentials = {name: values.pop(name) for name in CREDENTIALS if name in values}
    config = {CONFIG_KEYS.get(name, name): value for name, value in values.items() if name not in NOT_CONFIG}
    return credentials, config


def shown_token(credentials: dict[str, str]) -> str | None:
    """The secret that identifies the integration's access (masked when shown)."""
    return credentials.get("token") or credentials.get("access_token")
