"""Telegram bots with python-telegram-bot: long polling in the server's event loop, sending."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import httpx
from telegram import Bot, Message, Update
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

from ai_agents.channels.base import (
    AdapterSpec,
    BackgroundAdapter,
    CredentialsError,
    DeadLetterHandler,
    FailedUpdate,
    Identity,
    InboundHandler,
    InboundMessage,
    SendError,
    SendResult,
    StatusHandler,
)
from ai_agents.core.retry import backoff_delay, split_text
from ai_agents.core.types import IntegrationStatus
from ai_agents.logs import get_logger, redact
from ai_agents.net.transports import httpx_transport

log = get_logger("telegram")

DEFAULT_API_ROOT = "https://api.telegram.org"
MESSAGE_LIMIT = 4096
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)  # the request never reached Telegram
MEDIA_KINDS = ("photo", "video", "voice", "audio", "document", "sticker", "location", "contact")
UPDATE_ATTEMPTS = 3  # an update that fails this often is kept as a dead letter and skipped


def make_bot(spec: AdapterSpec, *, read_timeout: float = 10.0) -> Bot:
    """A Bot for the spec's token, against api_base_url when set (self-hosted Bot API server)."""
    root = (spec.config.get("api_base_url") or DEFAULT_API_ROOT).rstrip("/")
    request = _request(connection_pool_size=16, read_timeout=read_timeout)
    poll_request = _request(connection_pool_size=2, read_timeout=read_timeout)
    return Bot(
        spec.credentials["token"],
        base_url=f"{root}/bot",
        base_file_url=f"{root}/file/bot",
        request=request,
        get_updates_request=poll_request,
    )


def _request(connection_pool_size: int, read_timeout: float) -> HTTPXRequest:
    """PTB's httpx request on the asyncio network backend (ai_agents.net); the transport carries
    the pool's size, since a client given a transport does not use its own limits."""
    transport = httpx_transport(limits=httpx.Limits(max_connections=connection_pool_size))
    return HTTPXRequest(connection_pool_size, read_timeout=read_timeout, httpx_kwargs={"transport": transport})


def message_text(message: Message) -> str | None:
    """The text of a message, its caption, or a marker of what it carries ('[photo]')."""
    if message.text:
        return message.text
    if message.caption:
        return message.caption
    for kind in MEDIA_KINDS:
        if getattr(message, kind, None):
            return f"[{kind}]"
    return None


class TelegramAdapter(BackgroundAdapter):
    """One bot: polls getUpdates, hands messages to the pipeline, sends replies."""

    task_name = "telegram"

    def __init__(
        self,
        spec: AdapterSpec,
        on_inbound: InboundHandler,
        on_status: StatusHandler,
        *,
        on_dead_letter: DeadLetterHandler,
        poll_timeout: int = 25,
        retry_base: float = 1.0,
        send_timeout: float = 10.0,
        update_attempts: int = UPDATE_ATTEMPTS,
    ) -> None:
        self.spec = spec
        self._on_inbound = on_inbound
        self._on_status = on_status
        self._on_dead_letter = on_dead_letter
        self._update_attempts = update_attempts
        self._failed_attempts: dict[int, int] = {}  # update id -> failed deliveries so far
        self._poll_timeout = poll_timeout
        self._retry_base = retry_base
        self._send_timeout = send_timeout
        self._bot = make_bot(spec, read_timeout=10.0)
        self._offset: int | None = None

    @classmethod
    async def probe(cls, spec: AdapterSpec) -> Identity:
        """Check the token with getMe."""
        bot = await asyncio.to_thread(make_bot, spec)  # its HTTP clients load the CA certificates
        token = spec.credentials["token"]
        try:
            async with bot:
                me = await bot.get_me()
        except InvalidToken as exc:  # its text quotes the whole token; the server's reason does not
            reason = exc.__cause__.message if isinstance(exc.__cause__, TelegramError) else "invalid token"
            raise CredentialsError(f"Telegram rejected the bot token ({_scrub(reason, token)})") from None
        except TelegramError as exc:
            raise CredentialsError(
                f"Telegram could not be reached to check the token: {_scrub(str(exc), token)}"
            ) from None
        return Identity(external_id=str(me.id), display_name=f"@{me.username}")

    async def _close(self) -> None:
        try:
            await self._bot.shutdown()
        except TelegramError:
            pass

    async def send_text(self, recipient: str, text: str, start_part: int = 0) -> SendResult:
        """Send the text in parts of at most 4096 characters, from part `start_part` on; a failure
        says how many parts are delivered, so a retry sends only the rest."""
        delivered, message_id = start_part, None
        try:
            for piece in split_text(text, MESSAGE_LIMIT)[start_part:]:
                sent = await self._bot.send_message(chat_id=recipient, text=piece, read_timeout=self._send_timeout)
                message_id = message_id or f"{recipient}:{sent.message_id}"
                delivered += 1
        except TelegramError as exc:
            raise send_error(exc, delivered, self.spec.credentials.get("token", "")) from None
        return SendResult(external_id=message_id, parts_sent=delivered)

    async def _run(self) -> None:
        """Poll getUpdates until stopped; every failure is reported and retried with backoff."""
        failures = 0
        initialised = False
        while True:
            try:
                if not initialised:
                    await self._bot.initialize()
                    await self._bot.delete_webhook(drop_pending_updates=False)
                    initialised = True
                    log.info("✅ Telegram bot started: @%s (integration %s)", self._bot.username, self.spec.integration_id)
                    await self._set_status(IntegrationStatus.CONNECTED, None)
                updates = await self._bot.get_updates(
                    offset=self._offset, timeout=self._poll_timeout, allowed_updates=["message"]
                )
                if failures:
                    failures = 0
                    await self._set_status(IntegrationStatus.CONNECTED, None)
                # Handed over together (the pipeline stores what arrives together in one
                # transaction), in order; the offset moves past each update once it is stored.
                results = await asyncio.gather(*map(self._deliver_or_set_aside, updates), return_exceptions=True)
                for update, result in zip(updates, results, strict=True):
                    if isinstance(result, BaseException):
                        raise result  # it and the updates after it come again (stored ones are deduped)
                    self._offset = update.update_id + 1
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - every failure is reported and retried
                failures += 1
                reason = self._describe(exc)
                await self._set_status(IntegrationStatus.ERROR, reason)
                delay = backoff_delay(failures, base=self._retry_base, cap=60.0)
                if failures == 1 or failures % 10 == 0:
                    log.warning("⚠️  Telegram polling failed (integration %s, attempt %s): %s; retrying in %.1fs",
                                self.spec.integration_id, failures, reason, delay)
                await asyncio.sleep(delay)

    async def _deliver_or_set_aside(self, update: Update) -> None:
        """Deliver the update; once it has failed `update_attempts` times, hand it over as a dead
        letter instead, so one bad update cannot block the bot. Raises while it may still work."""
        try:
            await self._deliver(update)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            attempts = self._failed_attempts.get(update.update_id, 0) + 1
            self._failed_attempts[update.update_id] = attempts
            if attempts < self._update_attempts:
                raise
            failed = FailedUpdate(
                integration_id=self.spec.integration_id,
                external_id=str(update.update_id),
                payload=update.to_dict(),
                error=self._describe(exc),
                attempts=attempts,
            )
            await self._on_dead_letter(failed)  # raises when it cannot be kept: retried, never lost
        self._failed_attempts.pop(update.update_id, None)

    async def _deliver(self, update: Update) -> None:
        message = update.message
        if message is None or message.chat is None:
            return
        text = message_text(message)
        if text is None:
            return
        sender = message.from_user
        await self._on_inbound(
            InboundMessage(
                integration_id=self.spec.integration_id,
                remote_id=str(message.chat.id),
                text=text,
                external_id=f"{message.chat.id}:{message.message_id}",
                timestamp=message.date or datetime.now(timezone.utc),
                sender_name=sender.full_name if sender else message.chat.title,
                sender_username=sender.username if sender else None,
            )
        )

    def _describe(self, exc: Exception) -> str:
        """A failure as a person reads it, without the bot token."""
        if isinstance(exc, InvalidToken):
            return "Telegram rejected the bot token (revoked or wrong); update the integration's token"
        if isinstance(exc, Conflict):
            return "another process is polling this bot (Telegram 409 Conflict); stop the other instance"
        return _scrub(f"{type(exc).__name__}: {exc}", self.spec.credentials.get("token", ""))


def send_error(exc: TelegramError, parts_sent: int, token: str) -> SendError:
    """What a failed sendMessage means for the outbox: retry later, or fail with the reason
    (without the bot token)."""
    reason = _scrub(exc.message if isinstance(exc, (Forbidden, BadRequest)) else str(exc), token)
    if isinstance(exc, RetryAfter):
        wait = exc.retry_after
        seconds = float(wait.total_seconds() if hasattr(wait, "total_seconds") else wait)
        return SendError(f"Telegram rate limit: retry after {seconds:g}s", transient=True, retry_after=seconds,
                         parts_sent=parts_sent)
    if isinstance(exc, Forbidden):
        return SendError(f"Telegram refused: {reason}", transient=False, parts_sent=parts_sent)
    if isinstance(exc, BadRequest):
        return SendError(f"Telegram rejected the message: {reason}", transient=False, parts_sent=parts_sent)
    # network, timeouts, 5xx, revoked token: the channel is down for now. Without an answer from
    # Telegram (the request went out, the answer did not come) the message may have been delivered.
    cause = exc.__cause__
    unknown = isinstance(cause, httpx.TransportError) and not isinstance(cause, NOT_SENT)
    return SendError(f"Telegram unavailable: {reason}", transient=True, parts_sent=parts_sent,
                     outcome_unknown=unknown)


def _scrub(text: str, token: str) -> str:
    """The text without the bot token, whatever its shape, nor anything that looks like a secret."""
    if token:
        text = text.replace(token, token.split(":", 1)[0] + ":***")
    return redact(text)
