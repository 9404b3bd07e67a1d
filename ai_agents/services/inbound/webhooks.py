"""Signed channel webhooks: the subscription handshake, the signature check, then every event stored."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from sqlmodel import select

from ai_agents.core.errors import AppError, Forbidden
from ai_agents.crypto import UnreadableSecret
from ai_agents.db.models import Integration
from ai_agents.db.session import run_db, session_scope
from ai_agents.logs import get_logger
from ai_agents.services.context import AppContext
from ai_agents.services.outbound.delivery_status import record_delivery_updates
from ai_agents.services.ports import WebhookBatch, WebhookReceiver, WebhookSecrets

log = get_logger("webhooks")
SIGNATURE_PROBLEM = "Webhook signature check failed"  # how last_error starts when the app secret is wrong


@dataclass(frozen=True)
class Account:
    """An integration a webhook may be for: the ids of ours it answers to, and its webhook secrets."""

    integration_id: int
    ids: frozenset[str]
    secrets: WebhookSecrets
    last_error: str | None


def _accounts(ctx: AppContext, receiver: WebhookReceiver) -> list[Account]:
    with session_scope(ctx.engine) as session:
        rows = session.exec(select(Integration).where(Integration.provider == receiver.provider)).all()
        accounts = []
        for row in rows:
            try:
                credentials = json.loads(ctx.box.decrypt(row.credentials_encrypted)) if row.credentials_encrypted else {}
            except UnreadableSecret:  # SECRET_KEY changed: only settings' defaults can check it
                credentials = {}
            ids = frozenset(str(i) for i in [row.external_id, *row.config.get("webhook_ids", [])] if i)
            accounts.append(Account(row.id, ids, receiver.webhook_secrets(credentials, ctx.settings), row.last_error))
    return accounts


async def subscription_challenge(ctx: AppContext, receiver: WebhookReceiver, params: dict[str, str]) -> str:
    """Meta's `GET ?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...`: the challenge when
    the verify token is one of ours; Forbidden, naming the setting to compare, otherwise."""
    accounts = await run_db(ctx.engine, _accounts, ctx, receiver)
    secrets = [a.secrets for a in accounts] + [receiver.webhook_secrets({}, ctx.settings)]
    challenge = receiver.subscription_challenge(params, [s.verify_token for s in secrets if s.verify_token])
    if challenge is not None:
        log.info("✅ %s webhook verified", receiver.channel_label)
        return challenge
    settings = " or ".join(sorted({s.verify_token_setting for s in secrets}))
    if params.get("hub.mode") != "subscribe":
        reason = "not a webhook subscription request (hub.mode=subscribe is missing)"
    else:
        reason = (f"hub.verify_token does not match {settings}; enter the same Verify token in the Meta "
                  "app's webhook settings")
    log.error("❌ %s webhook verification failed: %s", receiver.channel_label, reason)
    raise Forbidden(f"{receiver.channel_label} webhook verification failed: {reason}", code="WEBHOOK_VERIFY_FAILED")


async def receive(
    ctx: AppContext, deliver, receiver: WebhookReceiver, body: bytes, signature: str | None
) -> dict[str, Any]:
    """Check the signature with the app secret of every integration the body names, then store its
    messages through the pipeline (`deliver`, which dedupes on the channel's message id) and record
    its delivery statuses. Nothing is stored unless every check passes."""
    label = receiver.channel_label
    if not signature:
        log.warning("⚠️  %s webhook without X-Hub-Signature-256 refused; nothing stored", label)
        raise Forbidden(f"{label} webhook refused: the X-Hub-Signature-256 header is missing", code="BAD_SIGNATURE")
    try:
        batches = receiver.parse_webhook(json.loads(body))
    except ValueError:
        raise AppError(f"{label} webhook body is not JSON", code="MALFORMED_JSON") from None
    accounts = await run_db(ctx.engine, _accounts, ctx, receiver)
    matched = [(batch, account) for batch in batches for account in accounts if batch.account_id in account.ids]
    checked = list({a.integration_id: a for _, a in matched}.values())
    if not checked:  # nothing of ours: valid if any of our secrets signed it (e.g. Meta's test event)
        candidates = accounts + [Account(0, frozenset(), receiver.webhook_secrets({}, ctx.settings), None)]
        if not any(receiver.signature_valid(a.secrets.app_secret or "", body, signature) for a in candidates):
            raise Forbidden(f"{label} webhook refused: the signature matches no app secret of ours", code="BAD_SIGNATURE")
    failed = [a for a in checked if not receiver.signature_valid(a.secrets.app_secret or "", body, signature)]
    await run_db(ctx.engine, _record_checks, ctx, label, checked, failed)
    if failed:
        raise Forbidden(_signature_problem(label, failed[0]) + "; nothing stored", code="BAD_SIGNATURE")
    for batch in {b.account_id for b in batches} - {b.account_id for b, _ in matched}:
        log.warning("⚠️  %s webhook for account %s ignored: no integration has that id", label, batch)
    return await _store(ctx, deliver, matched)


async def _store(ctx: AppContext, deliver, matched: list[tuple[WebhookBatch, Account]]) -> dict[str, int]:
    messages = updates = 0
    for batch, account in matched:
        for message in batch.messages:
            await deliver(replace(message, integration_id=account.integration_id))
            messages += 1
        if batch.updates:
            updates += await run_db(ctx.engine, record_delivery_updates, ctx, account.integration_id, batch.updates)
    return {"messages": messages, "statuses": updates}


def _signature_problem(label: str, account: Account) -> str:
    setting = account.secrets.app_secret_setting
    if not account.secrets.app_secret:
        return f"{SIGNATURE_PROBLEM}: no app secret to check {label} webhooks with; set {setting}"
    return (f"{SIGNATURE_PROBLEM}: X-Hub-Signature-256 does not match {setting}; set it to the App Secret of "
            "the Meta app that sends the webhooks (App settings > Basic)")


def _record_checks(ctx: AppContext, label: str, checked: list[Account], failed: list[Account]) -> None:
    """A failed check becomes the integration's last_error (logged once, when it appears); the next
    good one clears it. Other errors (the adapter's) are left alone."""
    failed_ids = {a.integration_id for a in failed}
    with session_scope(ctx.engine) as session:
        for account in checked:
            problem = _signature_problem(label, account) if account.integration_id in failed_ids else None
            stale = account.last_error and account.last_error.startswith(SIGNATURE_PROBLEM) and problem is None
            if problem == account.last_error or (problem is None and not stale):
                continue
            row = session.get(Integration, account.integration_id)
            if row is None:
                continue
            row.last_error = problem
            if problem:
                log.error("❌ %s (integration %s); nothing stored", problem, account.integration_id)
            ctx.live.publish("integration_status", integration_id=row.id, status=row.status, error=problem)

