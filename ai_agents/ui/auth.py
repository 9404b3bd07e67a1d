"""UI login: with API_TOKEN set, a tab must log in; every event of our states is refused otherwise.

The check runs on the server, in a Reflex middleware, before any handler of ours (the websocket
can be driven without the page). A login gives the browser a signed, expiring session (HMAC keyed
by API_TOKEN) kept in localStorage, so other tabs and reloads stay logged in; changing API_TOKEN
ends every session. The browser may send any session value: only a valid signature counts.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections import OrderedDict

import reflex as rx
from reflex.middleware import Middleware
from reflex.state import BaseState, StateUpdate

from ai_agents.core.errors import Unavailable
from ai_agents.logs import get_logger
from ai_agents.ui.platform import platform_context

log = get_logger("ui")
SESSION_SECONDS = 7 * 24 * 3600
OUR_STATES = "ai_agents___"  # how the full names of this app's states read
REFUSALS_REMEMBERED = 1000  # tabs whose first refused event was logged (one line per tab)


def _key(api_token: str) -> bytes:
    return hashlib.sha256(b"ai-agents-ui-session:" + api_token.encode()).digest()


def sign_session(api_token: str, now: float | None = None) -> str:
    """`<expiry>.<hmac>`: proves a login with this API_TOKEN until the expiry (unix seconds)."""
    expires = str(int((now or time.time()) + SESSION_SECONDS))
    return f"{expires}.{hmac.new(_key(api_token), expires.encode(), hashlib.sha256).hexdigest()}"


def session_is_valid(api_token: str, session: str, now: float | None = None) -> bool:
    expires, _, mac = (session or "").partition(".")
    if not expires.isdigit() or int(expires) < (now or time.time()):
        return False
    expected = hmac.new(_key(api_token), expires.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(mac.encode(), expected.encode())


def _api_token() -> str | None:
    """The configured API_TOKEN ("" when none); None while the platform starts (refuse then)."""
    try:
        return platform_context().settings.api_token
    except Unavailable:
        return None


class AuthState(rx.State):
    """Whether this tab is logged in. `logged_in` only drives what the page shows; the
    middleware checks the signature of `session` on every event."""

    session: str = rx.LocalStorage("", name="ai_agents_session")
    logged_in: bool = False
    checked: bool = False  # the server has looked at this tab's session once (no login flash)
    login_error: str = ""

    @rx.event
    def check(self):
        """First on_load of every page: the middleware has authenticated the tab (or not)."""

    @rx.event
    def login(self, form_data: dict):
        token = _api_token()
        if token is None:
            self.login_error = "The platform is starting; try again in a moment."
            return
        password = str(form_data.get("password", ""))
        if token and not hmac.compare_digest(password.encode(), token.encode()):
            self.login_error = "Wrong token: enter the API_TOKEN the server was started with."
            log.warning("⚠️  UI login refused: wrong token")
            return
        self.logged_in = True
        self.login_error = ""
        self.session = sign_session(token) if token else ""
        log.info("🔐 UI login")
        url = self.router.url  # the page asked for, with its query (e.g. the conversation to open)
        return rx.redirect((url.path or "/") + (f"?{url.query}" if url.query else ""))

    @rx.event
    def logout(self):
        self.logged_in = False
        self.session = ""
        return rx.redirect("/")


PUBLIC_EVENTS = {f"{AuthState.get_full_name()}.{name}" for name in ("check", "login", "logout")}


class SessionGuard(Middleware):
    """Refuses every event of this app's states for a tab that is not logged in (Reflex's own
    internal events, hydrate and client-storage sync, pass: they run none of our code)."""

    def __init__(self) -> None:
        self._refused_tabs: OrderedDict[str, None] = OrderedDict()

    async def preprocess(self, app, state: BaseState, event) -> StateUpdate | None:
        if OUR_STATES not in event.name:
            return None
        auth = await state.get_state(AuthState)
        token = _api_token()
        allowed = token == "" or (token is not None and session_is_valid(token, auth.session))
        if auth.logged_in != allowed or not auth.checked:
            auth.logged_in, auth.checked = allowed, True
        if allowed or event.name in PUBLIC_EVENTS:
            return None
        self._log_refusal(str(event.router_data.get("token", "")), event.name)
        return StateUpdate()

    def _log_refusal(self, tab: str, name: str) -> None:
        if tab in self._refused_tabs:
            return
        self._refused_tabs[tab] = None
        if len(self._refused_tabs) > REFUSALS_REMEMBERED:
            self._refused_tabs.popitem(last=False)
        log.warning("🚫 UI event %s refused: the tab is not logged in", name.rpartition(".")[2])
