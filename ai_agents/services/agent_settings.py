"""The four settings sections of an agent (the plan's bodies), their defaults, merge and checks."""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from ai_agents.core import working_hours
from ai_agents.core.errors import FieldProblem, ValidationFailed
from ai_agents.services.validation import StrictInput, parse

DEFAULT_AWAY_MESSAGE = "We are currently offline. We'll respond during business hours ({next_open})."
LANGUAGE_CODE = r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$"


class DayRange(StrictInput):
    """One opening range of a day, local time."""

    start: str = Field(description="HH:MM, 24-hour")
    end: str = Field(description="HH:MM, 24-hour; earlier than start means overnight")


class WorkingHoursSettings(StrictInput):
    enabled: bool = False
    timezone: str = Field("UTC", description="IANA name, e.g. Europe/Berlin")
    schedule: dict[str, DayRange | list[DayRange]] = Field(
        default_factory=dict, description="Weekday name -> one range or a list; missing = closed"
    )
    away_message: str = Field(DEFAULT_AWAY_MESSAGE, min_length=1, max_length=4096)
    holidays: list[str] = Field(default_factory=list, description="Closed dates, YYYY-MM-DD")


class TranslationSettings(StrictInput):
    enabled: bool = False
    source_language: str = Field("en", pattern=LANGUAGE_CODE, description="The agent's language")
    auto_detect: bool = True
    translate_incoming: bool = True
    translate_outgoing: bool = True
    translate_manager_messages: bool = False


class SentimentSettings(StrictInput):
    enabled: bool = False
    alert_on_negative: bool = True
    negative_threshold: float = Field(0.5, ge=0, le=1, description="Alert at score <= -this")
    escalate_on_very_negative: bool = False
    very_negative_threshold: float = Field(0.75, ge=0, le=1, description="Escalate at <= -this")
    escalation_keywords: list[str] = Field(
        default_factory=list, description="Extra words that signal a customer wants a human"
    )
    alert_webhook_url: str | None = Field(None, pattern=r"^https?://\S+$")
    alert_telegram_chat_id: str | None = Field(None, pattern=r"^-?\d+$")


class FollowUpSettings(StrictInput):
    enabled: bool = False
    delay_minutes: float = Field(60, gt=0, le=60 * 24 * 30, description="Silence before one")
    max_follow_ups: int = Field(2, ge=1, le=10)
    only_if_no_reply: bool = True
    messages: list[str] = Field(
        default_factory=lambda: ["Hi! Just checking in. Do you have any questions?"],
        min_length=1,
        max_length=10,
    )

    @field_validator("messages")
    @classmethod
    def _no_blank_messages(cls, messages: list[str]) -> list[str]:
        if any(not m.strip() for m in messages):
            raise ValueError("every follow-up message needs some text")
        return messages


DEFAULT_OPT_OUT = [
    *("stop", "unsubscribe", "stop all", "opt out", "optout"),  # en
    *("baja", "darme de baja", "parar", "cancelar suscripcion", "cancelar suscripción"),  # es/pt
    *("stopp", "abmelden", "désabonner", "desabonner", "arrêt", "arret"),  # de/fr
    *("стоп", "отписаться", "отписка", "відписатися"),  # ru/uk
]
DEFAULT_OPT_IN = ["start", "subscribe", "unstop", "старт", "suscribir", "anmelden"]


class BroadcastSettings(StrictInput):
    """Opt-out: a customer whose whole message is one of these words gets no more campaigns."""

    opt_out_keywords: list[str] = Field(default_factory=lambda: list(DEFAULT_OPT_OUT), max_length=100)
    opt_in_keywords: list[str] = Field(default_factory=lambda: list(DEFAULT_OPT_IN), max_length=100)
    opt_out_reply: str = Field(
        "You are unsubscribed and will get no more broadcasts. Reply START to subscribe again.",
        min_length=1,
        max_length=1000,
    )


class AgentSettings(StrictInput):
    """All settings of an agent; every section optional in a PUT body."""

    working_hours: WorkingHoursSettings = Field(default_factory=WorkingHoursSettings)
    translation: TranslationSettings = Field(default_factory=TranslationSettings)
    sentiment: SentimentSettings = Field(default_factory=SentimentSettings)
    follow_up: FollowUpSettings = Field(default_factory=FollowUpSettings)
    broadcasts: BroadcastSettings = Field(default_factory=BroadcastSettings)


SECTIONS = tuple(AgentSettings.model_fields)


def settings_of(stored: dict[str, Any] | None) -> AgentSettings:
    """The full settings from what is stored (missing sections and fields take defaults)."""
    return AgentSettings.model_validate(stored or {})


def merge(stored: dict[str, Any] | None, update: AgentSettings) -> AgentSettings:
    """Apply the sections and fields that were sent; keep everything else as stored."""
    merged = settings_of(stored).model_dump(mode="json")
    for section in update.model_fields_set:
        sent = getattr(update, section)
        merged[section].update(sent.model_dump(mode="json", include=sent.model_fields_set))
    result = parse(AgentSettings, merged)
    check(result)
    return result


def schedule_of(settings: AgentSettings) -> working_hours.WeeklySchedule:
    """The parsed weekly schedule; raises working_hours.ScheduleError on bad times or zones."""
    hours = settings.working_hours
    schedule = {
        day: (value.model_dump() if isinstance(value, DayRange) else [r.model_dump() for r in value])
        for day, value in hours.schedule.items()
    }
    return working_hours.parse_schedule(hours.timezone, schedule, hours.holidays)


def check(settings: AgentSettings) -> None:
    """Rules across fields that the shapes cannot express (schedule times, timezone, dates)."""
    try:
        schedule_of(settings)
    except working_hours.ScheduleError as exc:
        raise ValidationFailed(
            [FieldProblem(f"working_hours.{field}", message) for field, message in exc.problems]
        ) from None
