"""What the WhatsApp Cloud and Instagram adapters share: token check until it works, status, sends in parts."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any, ClassVar

from ai_agents.channels import meta_graph
from ai_agents.channels.base import (
    AdapterSpec,
    BackgroundAdapter,
    CredentialsError,
    DeadLetterHandler,
    Identity,
    InboundHandler,
    MessagingWindow,
    SendResult,
    StatusHandler,
    WebhookSecrets,
)
from ai_agents.channels.meta_graph import GraphClient, GraphError
from ai_agents.core.retry import backoff_delay, split_text
from ai_agents.core.types import IntegrationStatus
from ai_agents.logs import get_logger

log = get_logger("meta")


class MetaAdapter(BackgroundAdapter):
    """One account on a Meta channel. Inbound messages arrive by webhook (api -> services), so
    running means: the access token was accepted, and sends go out through the Graph API."""

    provider: ClassVar[str]
    webhook_name: ClassVar[str]
    channel_label: ClassVar[str]
    message_limit: ClassVar[int]
    messaging_window: ClassVar[MessagingWindow]
    window_errors: ClassVar[tuple[tuple[int, int | None], ...]]  # Graph errors meaning "outside the window"

    def __init__(
        self,
        spec: AdapterSpec,
        on_inbound: InboundHandler,
        on_status: StatusHandler,
        *,
        on_dead_letter: DeadLetterHandler,
        retry_base: float = 1.0,
        send_timeout: float = 10.0,
    ) -> None:
        self.spec = spec
        self._on_status = on_status
        self._retry_base = retry_base
        self._client = GraphClient(spec, timeout=send_timeout)
        self.task_name = self.webhook_name

    # -- what each channel defines ---------------------------------------------------------------
    @classmethod
    async def identity(cls, client: GraphClient, spec: AdapterSpec) -> Identity:
        """Who the token and account id are, as the Graph API says (GraphError otherwise)."""
        raise NotImplementedError

    async def send_one(self, recipient: str, text: str) -> str:
        """Send one part; returns the channel's message id."""
        raise NotImplementedError

    # -- the adapter shape -----------------------------------------------------------------------
    @classmethod
    async def probe(cls, spec: AdapterSpec) -> Identity:
        """Check the access token against the Graph API."""
        client = await asyncio.to_thread(GraphClient, spec)  # its HTTP client loads the CA certificates
        try:
            return await cls.identity(client, spec)
        except GraphError as exc:
            raise CredentialsError(cls.token_problem(exc)) from None
        finally:
            await client.close()

    @classmethod
    def token_problem(cls, exc: GraphError) -> str:
        """Why the token check failed, naming the setting to fix."""
        if exc.token_rejected:
            return f"{cls.channel_label} rejected the access_token: {exc.describe()}; enter a valid access_token"
        if exc.temporary:
            return f"{cls.channel_label} could not be reached to check the access_token: {exc.describe()}"
        return f"{cls.channel_label} refused the account check: {exc.describe()}; check the account id and access_token"

    @classmethod
    def webhook_secrets(cls, credentials: dict[str, str], settings: Any) -> WebhookSecrets:
        return WebhookSecrets(credentials.get("app_secret"), "the integration's app_secret",
                              credentials.get("verify_token"), "the integration's verify_token")

    signature_valid = staticmethod(meta_graph.signature_valid)
    subscription_challenge = staticmethod(meta_graph.subscription_challenge)

    async def _close(self) -> None:
        await self._client.close()

    async def send_text(self, recipient: str, text: str, start_part: int = 0) -> SendResult:
        """Send the text's parts from `start_part` on; a failure says how many are delivered."""
        delivered, first_id = start_part, None
        try:
            for piece in split_text(text, self.message_limit)[start_part:]:
                message_id = await self.send_one(recipient, piece)
                first_id = first_id or message_id
                delivered += 1
        except GraphError as exc:
            error = meta_graph.send_error(exc, channel=self.channel_label, parts_sent=delivered,
                                          window_errors=self.window_errors, window_reason=self.window_reason())
            if exc.token_rejected:  # down until the token works again: held sends wait, nothing is lost
                await self._set_status(IntegrationStatus.ERROR, error.reason)
                self._start_task()  # check the token again (with backoff) until it is accepted
            raise error from None
        return SendResult(external_id=first_id, parts_sent=delivered)

    @classmethod
    def window_reason(cls) -> str:
        window = cls.messaging_window
        return f"outside the {window.hours:g}-hour messaging window: {window.outside}"

    async def _run(self) -> None:
        """Check the token until it is accepted: then the integration is connected."""
        failures = 0
        while True:
            try:
                identity = await self.identity(self._client, self.spec)
            except GraphError as exc:
                failures += 1
                reason = self.token_problem(exc)
                await self._set_status(IntegrationStatus.ERROR, reason)
                delay = backoff_delay(failures, base=self._retry_base, cap=60.0)
                if failures == 1 or failures % 10 == 0:
                    log.warning("⚠️  %s check failed (integration %s, attempt %s): %s; retrying in %.1fs",
                                self.channel_label, self.spec.integration_id, failures, reason, delay)
                await asyncio.sleep(delay)
                continue
            log.info("✅ %s connected: %s (integration %s)", self.channel_label, identity.display_name,
                     self.spec.integration_id)
            await self._set_status(IntegrationStatus.CONNECTED, None)
            return


def dicts(value: Any) -> list[dict[str, Any]]:
    """The dicts of a JSON list (anything else in a webhook body is ignored)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def timestamp(value: Any, *, milliseconds: bool = False) -> datetime:
    """A webhook's Unix time (seconds, or milliseconds for Instagram) as aware UTC; now if absent."""
    try:
        seconds = float(value) / (1000 if milliseconds else 1)
        return datetime.fromtimestamp(seconds, timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(timezone.utc)
