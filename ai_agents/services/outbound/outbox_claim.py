"""Which outbox rows may be sent now: due, oldest first per recipient, on integrations running here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, bindparam, case, exists, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from ai_agents.core.types import OutboxStatus
from ai_agents.db.models import Integration, OutboxMessage
from ai_agents.services.outbound.send_budget import Candidate, Channel

ACTIVE = (OutboxStatus.PENDING, OutboxStatus.SENDING)
BULK_KINDS = ("broadcast", "follow_up")  # campaigns: sent after conversation messages when both are due
INTERRUPTED = "interrupted while sending (the server stopped); not resent, to never send it twice"


def due(now: datetime):
    """Pending and due, or claimed by a sender whose lease ran out before it called the channel
    (a campaign row cut off during the call is never claimed again: see give_up_interrupted)."""
    return or_(
        and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < now,
             OutboxMessage.attempt_started_at.is_(None)),
    )


def waiting_behind_earlier(now: datetime):
    """An earlier row to the same recipient is still to be sent: order holds among rows that are due,
    in flight or already tried (a retry keeps its place); a row scheduled for later does not block."""
    earlier = aliased(OutboxMessage)
    return exists().where(
        earlier.integration_id == OutboxMessage.integration_id,
        earlier.recipient == OutboxMessage.recipient,
        earlier.id < OutboxMessage.id,
        earlier.status.in_(ACTIVE),
        or_(earlier.status == OutboxStatus.SENDING, earlier.next_attempt_at <= now,
            earlier.attempts > 0, earlier.last_error.is_not(None)),
    )


ACTIVE_TO_RECIPIENT = select(OutboxMessage.id).where(
    OutboxMessage.integration_id == bindparam("integration_id"), OutboxMessage.recipient == bindparam("recipient"),
    OutboxMessage.status.in_(ACTIVE),
).limit(1)


def has_active_rows(session: Session, integration_id: int, recipient: str) -> bool:
    """Whether a row to this recipient is still pending or being sent (a new one goes after it)."""
    params = {"integration_id": integration_id, "recipient": recipient}
    return session.connection().execute(ACTIVE_TO_RECIPIENT, params).first() is not None


def running_channels(session: Session, is_running) -> dict[int, Channel]:
    """The integrations whose channel runs in this process: only their rows are claimed."""
    rows = session.exec(select(Integration.id, Integration.provider, Integration.config))
    return {i: Channel(i, provider, config or {}) for i, provider, config in rows if is_running(i)}


def _candidates_query(*, lock: bool):
    """Built once (building it costs more than running it): integrations, rows being sent by this
    process, the time and the limit are parameters."""
    now = bindparam("now")
    campaign_last = case((OutboxMessage.kind.in_(BULK_KINDS), 1), else_=0)
    query = (
        select(OutboxMessage.id, OutboxMessage.integration_id, OutboxMessage.recipient, campaign_last)
        .where(OutboxMessage.integration_id.in_(bindparam("integrations", expanding=True)),
               OutboxMessage.id.not_in(bindparam("sending", expanding=True)),
               due(now), ~waiting_behind_earlier(now))
        .order_by(campaign_last, OutboxMessage.id)
        .limit(bindparam("limit"))
    )
    return query.with_for_update(of=OutboxMessage, skip_locked=True) if lock else query


CANDIDATES = {False: _candidates_query(lock=False), True: _candidates_query(lock=True)}


def due_candidates(
    session: Session, channels: dict[int, Channel], now: datetime, limit: int, sending: set[int]
) -> list[Candidate]:
    """Due rows of these integrations that wait behind no earlier row, in the order they should go:
    conversation messages before campaigns, then oldest first. Rows this process sends are left out."""
    if not channels or limit <= 0:
        return []
    query = CANDIDATES[session.get_bind().dialect.name == "postgresql"]
    params = {"integrations": list(channels), "sending": list(sending), "now": now, "limit": limit}
    return [Candidate(row_id, channels[integration_id], recipient, bool(late))
            for row_id, integration_id, recipient, late in session.exec(query, params=params)]


def fair_order(candidates: list[Candidate]) -> list[Candidate]:
    """Conversation messages first, then campaigns; within each, the integrations take turns (their
    rates are their own, but send slots are shared) and each keeps its own oldest-first order."""
    turn: dict[int, int] = {}
    keyed = []
    for candidate in candidates:
        place = turn.get(candidate.channel.integration_id, 0)
        turn[candidate.channel.integration_id] = place + 1
        keyed.append((candidate.campaign, place, candidate))
    return [candidate for _, _, candidate in sorted(keyed, key=lambda item: item[:2])]


def with_due_rows(session: Session, integration_ids: list[int], now: datetime) -> set[int]:
    """Which of these integrations have a due row (they wait for a rate token)."""
    if not integration_ids:
        return set()
    query = select(OutboxMessage.integration_id).where(
        OutboxMessage.integration_id.in_(integration_ids), due(now)
    ).distinct()
    return set(session.exec(query))


def lease(session: Session, ids: list[int], now: datetime, owner: str, until: datetime) -> list[OutboxMessage]:
    """Claim these rows for `owner` if they are still due; returns the rows claimed."""
    if not ids:
        return []
    session.exec(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), due(now))
        .values(status=OutboxStatus.SENDING, lease_owner=owner, lease_until=until)
    )
    claimed = select(OutboxMessage).where(OutboxMessage.lease_owner == owner).order_by(OutboxMessage.id)
    return list(session.exec(claimed))


def renew(session: Session, owners: dict[int, str], until: datetime) -> int:
    """Extend the leases this process holds on rows it is still sending; returns rows renewed."""
    if not owners:
        return 0
    result = session.exec(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(list(owners)), OutboxMessage.lease_owner.in_(set(owners.values())),
               OutboxMessage.status == OutboxStatus.SENDING)
        .values(lease_until=until)
    )
    return result.rowcount


def give_up_interrupted(session: Session, now: datetime) -> None:
    """A campaign row whose sender died mid-call may have been delivered: resending could send
    it twice, so it fails with the reason instead (conversation messages are resent)."""
    session.exec(
        update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < now,
               OutboxMessage.attempt_started_at.is_not(None), OutboxMessage.kind.in_(BULK_KINDS))
        .values(status=OutboxStatus.FAILED, lease_owner=None, lease_until=None, last_error=INTERRUPTED)
    )


def resume_held(session: Session, integration_id: int, now: datetime) -> int:
    """The integration is connected again: rows held or waiting to retry are due now. Rows never
    tried and not due yet (a scheduled campaign) keep their time."""
    result = session.exec(
        update(OutboxMessage)
        .where(OutboxMessage.integration_id == integration_id, OutboxMessage.status == OutboxStatus.PENDING,
               OutboxMessage.next_attempt_at > now,
               or_(OutboxMessage.attempts > 0, OutboxMessage.last_error.is_not(None)))
        .values(next_attempt_at=now)
    )
    return result.rowcount
