"""The dashboard's charts: messages per hour and per day by channel, and the sentiment mix, counted in SQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import BigInteger, Integer, case, cast, extract, func
from sqlmodel import select

from ai_agents.core.errors import FieldProblem, ValidationFailed
from ai_agents.core.types import PLAYGROUND_CHANNEL, Role
from ai_agents.db.models import Integration, Message
from ai_agents.db.queries import customer_traffic
from ai_agents.db.session import read_scope
from ai_agents.services.context import AppContext

HOUR, DAY = 3600, 86400
HOURS_SHOWN, DAYS_SHOWN, SENTIMENT_DAYS = 24, 14, 7
MAX_OFFSET_MINUTES = 14 * 60  # UTC-12:00 .. UTC+14:00
CHANNELS = ("telegram", "whatsapp", "instagram")
NEGATIVE_BELOW, POSITIVE_ABOVE = -0.05, 0.05  # the marks shown beside customer messages


def _bucket(dialect: str, size: int, offset_seconds: int):
    """SQL for the bucket number of Message.created_at: whole `size`-second steps since the epoch,
    counted on the wall clock `offset_seconds` ahead of UTC (an index-friendly range is applied
    separately; this only labels the rows)."""
    if dialect == "sqlite":  # stored as naive UTC text: strftime('%s') is its epoch second
        epoch = cast(func.strftime("%s", Message.created_at), Integer)
    else:
        epoch = cast(func.floor(extract("epoch", Message.created_at)), BigInteger)
    return (epoch + offset_seconds) // size  # whole division of positive integers on both


def check_offset(utc_offset_minutes: int) -> int:
    if not -MAX_OFFSET_MINUTES <= utc_offset_minutes <= MAX_OFFSET_MINUTES:
        raise ValidationFailed([FieldProblem(
            "utc_offset_minutes", f"must be between -{MAX_OFFSET_MINUTES} and {MAX_OFFSET_MINUTES} minutes")])
    return utc_offset_minutes


def _series(session, dialect: str, size: int, count: int, now: datetime, offset: int) -> list[dict[str, Any]]:
    """`count` buckets of `size` seconds ending with the current one, each with a count per channel."""
    now_bucket = (int(now.timestamp()) + offset) // size
    first_bucket = now_bucket - count + 1
    since = datetime.fromtimestamp(first_bucket * size - offset, timezone.utc)
    bucket = _bucket(dialect, size, offset).label("bucket")
    rows = session.exec(
        select(bucket, Integration.channel, func.count(Message.id))
        .join(Integration, Integration.id == Message.integration_id)
        .where(Message.created_at >= since, Integration.channel != PLAYGROUND_CHANNEL)
        .group_by(bucket, Integration.channel)
    ).all()
    counts: dict[int, dict[str, int]] = {}
    for number, channel, n in rows:
        counts.setdefault(int(number), {})[channel] = int(n)
    series = []
    for number in range(first_bucket, now_bucket + 1):
        wall = datetime.fromtimestamp(number * size, timezone.utc)  # the wall clock of the bucket's start
        label = wall.strftime("%H:00") if size == HOUR else wall.strftime("%d %b")
        per_channel = counts.get(number, {})
        series.append({"label": label, "start": datetime.fromtimestamp(number * size - offset, timezone.utc),
                       **{c: per_channel.get(c, 0) for c in CHANNELS}, "total": sum(per_channel.values())})
    return series


def _sentiment(session, since: datetime) -> dict[str, int]:
    score = Message.sentiment
    mood = case((score < NEGATIVE_BELOW, "negative"), (score > POSITIVE_ABOVE, "positive"), else_="neutral").label("mood")
    rows = session.exec(
        select(mood, func.count(Message.id))
        .where(Message.created_at >= since, Message.role == Role.USER, score.is_not(None),
               customer_traffic(Message.integration_id))
        .group_by(mood)
    ).all()
    found = {name: int(n) for name, n in rows}
    return {name: found.get(name, 0) for name in ("positive", "neutral", "negative")}


def message_activity(ctx: AppContext, utc_offset_minutes: int = 0) -> dict[str, Any]:
    """Messages (in and out) per hour of the last 24 hours and per day of the last 14 days, by
    channel, and the sentiment of customer messages of the last 7 days. Buckets follow the wall
    clock `utc_offset_minutes` ahead of UTC (the browser's offset; 0: UTC); the offset of now is
    used for the whole range, so a DST change inside it shifts the older buckets by an hour."""
    offset = check_offset(utc_offset_minutes) * 60
    now = ctx.clock.now()
    dialect = ctx.engine.dialect.name
    with read_scope(ctx.engine) as session:
        hourly = _series(session, dialect, HOUR, HOURS_SHOWN, now, offset)
        daily = _series(session, dialect, DAY, DAYS_SHOWN, now, offset)
        sentiment = _sentiment(session, now - timedelta(days=SENTIMENT_DAYS))
    return {"hourly": hourly, "daily": daily, "sentiment": sentiment, "utc_offset_minutes": utc_offset_minutes,
            "generated_at": now}
