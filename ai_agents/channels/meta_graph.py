"""Meta's Graph API, shared by WhatsApp Cloud and Instagram: HTTP client, its errors, webhook checks."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from typing import Any

import httpx

from ai_agents.channels.base import AdapterSpec, SendError
from ai_agents.logs import redact
from ai_agents.net.transports import httpx_transport

DEFAULT_GRAPH_ROOT = "https://graph.facebook.com"
GRAPH_VERSION = "v21.0"
# Graph error codes (developers.facebook.com, "Graph API error codes" and the WhatsApp Cloud API's):
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80007, 130429, 131056})  # app, user, page, number, pair limits
TEMPORARY_CODES = frozenset({1, 2, 131000, 131016})  # unknown, temporary, something went wrong, unavailable
TOKEN_CODES = frozenset({190})  # access token invalid, expired or revoked
RATE_LIMIT_WAIT = 1.0  # seconds before a rate-limited send is tried again (Meta gives no retry-after)
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)  # the request never reached Meta


class GraphError(Exception):
    """A failed Graph call: HTTP status (0: no answer), Meta's error code and subcode, its message."""

    def __init__(self, status: int, code: int | None, subcode: int | None, message: str, *, unsent: bool = False):
        super().__init__(message)
        self.status, self.code, self.subcode, self.message, self.unsent = status, code, subcode, message, unsent

    @property
    def rate_limited(self) -> bool:
        return self.status == 429 or self.code in RATE_LIMIT_CODES

    @property
    def token_rejected(self) -> bool:
        return self.code in TOKEN_CODES or self.status == 401

    @property
    def temporary(self) -> bool:
        return self.status == 0 or self.status >= 500 or self.code in TEMPORARY_CODES

    def matches(self, errors: Iterable[tuple[int, int | None]]) -> bool:
        """Whether it is one of these (code, subcode) pairs; subcode None matches any."""
        return any(self.code == code and subcode in (None, self.subcode) for code, subcode in errors)

    def describe(self) -> str:
        where = f"error {self.code}" + (f"/{self.subcode}" if self.subcode else "") if self.code else f"HTTP {self.status}"
        return f"{self.message} ({where})"


class GraphClient:
    """Graph API calls with the spec's access token (sent as a header, never in a URL)."""

    def __init__(self, spec: AdapterSpec, *, timeout: float = 10.0) -> None:
        root = (spec.config.get("api_base_url") or DEFAULT_GRAPH_ROOT).rstrip("/")
        self._token = spec.credentials.get("access_token", "")
        self._http = httpx.AsyncClient(
            base_url=f"{root}/{GRAPH_VERSION}/",
            timeout=timeout,
            headers={"Authorization": f"Bearer {self._token}"},
            transport=httpx_transport(limits=httpx.Limits(max_connections=32, max_keepalive_connections=16)),
        )

    async def get(self, path: str, **params: str) -> dict[str, Any]:
        return await self._call("GET", path, params=params)

    async def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        return await self._call("POST", path, json=body)

    async def close(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise GraphError(0, None, None, self.scrub(f"no answer from the Graph API ({type(exc).__name__}: {exc})"),
                             unsent=isinstance(exc, NOT_SENT)) from None
        try:
            data = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            data = {}
        error = data.get("error")
        if response.status_code >= 400 or isinstance(error, dict):
            error = error if isinstance(error, dict) else {}
            message = str(error.get("error_user_msg") or error.get("message") or response.reason_phrase or "error")
            raise GraphError(response.status_code, _int(error.get("code")), _int(error.get("error_subcode")),
                             self.scrub(message[:300]))
        return data

    def scrub(self, text: str) -> str:
        """The text without the access token, nor anything else that looks like a secret."""
        if self._token:
            text = text.replace(self._token, "***")
        return redact(text)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def send_error(exc: GraphError, *, channel: str, parts_sent: int, window_errors: Iterable[tuple[int, int | None]],
               window_reason: str) -> SendError:
    """What a failed send means for the outbox: retried (rate limits, outages, a rejected token the
    team can replace) or failed at once with the reason (outside the messaging window, bad recipient)."""
    if exc.matches(window_errors):
        return SendError(f"{window_reason} ({channel}: {exc.describe()})", transient=False, parts_sent=parts_sent)
    if exc.rate_limited:
        return SendError(f"{channel} rate limit: {exc.describe()}", transient=True, retry_after=RATE_LIMIT_WAIT,
                         parts_sent=parts_sent)
    if exc.token_rejected:
        return SendError(f"{channel} rejected the access token: {exc.describe()}; update the integration's "
                         "access_token", transient=True, parts_sent=parts_sent)
    if exc.temporary:
        return SendError(f"{channel} unavailable: {exc.describe()}", transient=True, parts_sent=parts_sent,
                         outcome_unknown=exc.status == 0 and not exc.unsent)
    return SendError(f"{channel} rejected the message: {exc.describe()}", transient=False, parts_sent=parts_sent)


def signature_valid(app_secret: str, body: bytes, signature: str | None) -> bool:
    """Whether `signature` (X-Hub-Signature-256: "sha256=<hex>") is the HMAC-SHA256 of the raw body
    with the app secret; compared in constant time."""
    if not app_secret or not signature or not signature.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature[len("sha256="):].strip().lower().encode())


def subscription_challenge(params: dict[str, str], verify_tokens: Iterable[str]) -> str | None:
    """The hub.challenge to echo when Meta's subscription request carries one of our verify tokens."""
    token = params.get("hub.verify_token") or ""
    if params.get("hub.mode") != "subscribe" or not token or "hub.challenge" not in params:
        return None
    if any(hmac.compare_digest(token.encode(), known.encode()) for known in verify_tokens if known):
        return params["hub.challenge"]
    return None
