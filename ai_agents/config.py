"""Settings read once from environment variables (pydantic-settings)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "sk-...", "your-secret-key", "xxx"}
MIN_TOKEN_LENGTH = 16
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")
WILDCARD_ADDRESSES = {"0.0.0.0", "::", "[::]", ""}


class ConfigError(RuntimeError):
    """Raised when the configuration cannot be used; the message says how to fix it."""


class Settings(BaseSettings):
    """Every setting of the platform, with its default."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", case_sensitive=False)

    host: str = Field("127.0.0.1", description="Address the server listens on.")
    port: int = Field(8080, ge=1, le=65535, description="The one port: UI, /api and websocket.")
    data_dir: Path = Field(Path("data"), description="Folder for the SQLite file and secret key.")
    database_url: str = Field("", description="SQLAlchemy URL; default SQLite file in data_dir.")
    secret_key: str = Field("", description="Key for secrets at rest; generated if unset.")
    api_token: str = Field("", description="Bearer token required by /api when set.")
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Host names accepted besides loopback and HOST (comma-separated)."
    )
    allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Browser origins allowed besides the server's own (comma-separated)."
    )
    # `reflex run --backend-host/--backend-port` export these for the workers when they differ from
    # rxconfig.py (whose values come from HOST and PORT): the address Granian really binds.
    reflex_backend_host: str = Field("", description="Set by Reflex; HOST when empty.")
    reflex_backend_port: int | None = Field(None, ge=1, le=65535, description="Set by Reflex; PORT when empty.")
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")
    openai_api_key: str = Field("", description="Default LLM key for agents that have none.")
    openai_base_url: str = Field("", description="Default OpenAI-compatible endpoint.")
    default_model: str = Field("gpt-4o-mini", description="Model for agents created without one.")
    max_concurrent_llm: int = Field(8, ge=1, le=256, description="LLM calls in flight at once.")
    llm_timeout_seconds: float = Field(60, gt=0, description="Total deadline of one LLM call (reply or translation).")
    llm_retry_seconds: float = Field(
        300, ge=0, description="How long a reply is retried after temporary LLM failures before it fails with an alert."
    )
    retry_base_seconds: float = Field(1.0, gt=0, description="First backoff step of retries.")
    outbox_lease_seconds: float = Field(60, gt=0, description="A claimed send not done by then is retried.")
    outbox_retry_hours: float = Field(
        24, gt=0, le=720, description="How long a conversation message is retried before it fails."
    )
    follow_up_tick_seconds: float = Field(
        15, gt=0, description="Longest sleep of the follow-up worker (it wakes at each due time)."
    )
    broadcast_tick_seconds: float = Field(2, gt=0, description="How often campaign states refresh.")
    history_messages: int = Field(20, ge=1, le=200, description="Messages of context per reply.")
    detect_languages: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Customer languages the detector chooses from (ISO 639-1, comma-separated)."
    )
    language_accuracy: Literal["balanced", "high", "low"] = Field(
        "balanced", description="Language detection models: lingua low + fastText, lingua high, or lingua low."
    )
    instagram_app_secret: str = Field(
        "", repr=False, description="App Secret of the Meta app, for Instagram integrations that set no app_secret."
    )
    instagram_verify_token: str = Field(
        "", repr=False, description="Webhook verify token, for Instagram integrations that set no verify_token."
    )
    # Test seams: end-to-end tests run the real server with a fake WhatsApp; never set in production.
    test_seams: bool = Field(False, description="Tests only: allow the test hooks below (refused without it).")
    whatsapp_device_client: str = Field(
        "", description="Tests only, with TEST_SEAMS=1: 'module:callable' that builds linked-device clients "
        "instead of neonize (e.g. a fake WhatsApp)."
    )

    @model_validator(mode="after")
    def _test_seams_only_in_tests(self) -> "Settings":
        if self.whatsapp_device_client and not self.test_seams:
            raise ValueError(
                f"WHATSAPP_DEVICE_CLIENT={self.whatsapp_device_client!r} is a test seam, refused unless TEST_SEAMS=1 "
                "(never in production); unset it to use WhatsApp through neonize"
            )
        return self

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("detect_languages", mode="before")
    @classmethod
    def _language_codes(cls, value: object) -> list[str]:
        codes = [code.strip().lower() for code in _items(value)]
        for code in codes:
            if len(code) != 2 or not code.isascii() or not code.isalpha():
                raise ValueError(f"DETECT_LANGUAGES entry {code!r} is not an ISO 639-1 code such as 'en' or 'ru'")
        return codes

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _host_names(cls, value: object) -> list[str]:
        names = [name.lower() for name in _items(value)]
        for name in names:
            bracketed_ipv6 = name.startswith("[") and name.endswith("]")
            wildcard_ok = "*" not in name[1:] and (name[:1] != "*" or name == "*" or name[:2] == "*.")
            if "/" in name or (":" in name and not bracketed_ipv6) or not wildcard_ok:
                raise ValueError(
                    f"ALLOWED_HOSTS entry {name!r} is not a host name: expected names like "
                    "'chat.example.com', '*.example.com' or '192.168.1.5', without scheme or port"
                )
        return names

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> list[str]:
        origins = []
        for item in _items(value):
            parts = urlsplit(item.strip())
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
                raise ValueError(
                    f"ALLOWED_ORIGINS entry {item!r} is not an origin: expected scheme://host[:port], "
                    "e.g. 'https://admin.example.com'"
                )
            origins.append(f"{parts.scheme}://{parts.netloc.lower()}")
        return origins

    @cached_property
    def resolved_database_url(self) -> str:
        """The database URL in use: DATABASE_URL, or the SQLite file under data_dir."""
        if self.database_url:
            return _normalise_db_url(self.database_url)
        return f"sqlite:///{(self.data_dir / 'ai_agents.db').resolve()}"

    @property
    def bind_host(self) -> str:
        """The address the server really listens on: `--backend-host` when given, else HOST."""
        return self.reflex_backend_host or self.host

    @property
    def bind_port(self) -> int:
        """The port the server really listens on: `--backend-port` when given, else PORT."""
        return self.reflex_backend_port or self.port

    @property
    def is_loopback(self) -> bool:
        """True when the server only listens on the loopback interface."""
        host = self.bind_host.strip("[]")
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def check_exposure(self) -> None:
        """Refuse to serve an open API on a non-loopback address, and weak tokens anywhere."""
        if not self.api_token and not self.is_loopback:
            raise ConfigError(
                f"Refusing to listen on {self.bind_host} without API_TOKEN: the API would be open to "
                "the network. Set one, e.g. `export API_TOKEN=$(python3 -c 'import secrets; "
                "print(secrets.token_urlsafe(32))')`, or listen on 127.0.0.1 (HOST=127.0.0.1)."
            )
        if self.api_token and self.api_token.strip().lower() in PLACEHOLDER_SECRETS:
            raise ConfigError("API_TOKEN is a placeholder value; set a real random token.")
        if self.api_token and len(self.api_token) < MIN_TOKEN_LENGTH:
            raise ConfigError(
                f"API_TOKEN is {len(self.api_token)} characters long; use at least {MIN_TOKEN_LENGTH} "
                "random characters, e.g. `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`."
            )

    @property
    def trusted_hosts(self) -> list[str]:
        """Host names the server answers to: loopback, the address bound (if specific), ALLOWED_HOSTS."""
        bound = self.bind_host.lower()
        if ":" in bound and not bound.startswith("["):
            bound = f"[{bound}]"  # an IPv6 address as it appears in a Host header
        names = [*LOOPBACK_HOSTS, *([] if bound in WILDCARD_ADDRESSES else [bound]), *self.allowed_hosts]
        return list(dict.fromkeys(names))

    @property
    def trusted_origins(self) -> list[str]:
        """Browser origins allowed: the server's own on each trusted host name, and ALLOWED_ORIGINS.
        Own: http(s)://name:port, and https://name behind a TLS proxy on the default port."""
        port = "" if self.bind_port == 80 else f":{self.bind_port}"  # browsers leave out the default port
        own = []
        for name in self.trusted_hosts:
            if not name.startswith("*"):
                own += [f"http://{name}{port}", f"https://{name}:{self.bind_port}", f"https://{name}"]
        return list(dict.fromkeys([*own, *self.allowed_origins]))

    def load_secret_key(self) -> str:
        """SECRET_KEY, or the key kept in data_dir/secret_key (created with mode 600 on first start)."""
        if self.secret_key:
            if self.secret_key.strip().lower() in PLACEHOLDER_SECRETS or len(self.secret_key) < 16:
                raise ConfigError("SECRET_KEY is a placeholder or shorter than 16 characters.")
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            try:
                return _create_key_file(path)
            except FileExistsError:  # another process created it at the same moment: use theirs
                pass
        key = path.read_text().strip()
        if len(key) < 16:
            state = "is empty" if not key else "holds fewer than 16 characters"
            raise ConfigError(
                f"{path} {state}: it cannot be the key your secrets were encrypted with. Restore it "
                "from your backup (or set SECRET_KEY), or delete the file to generate a new key; "
                "stored API keys and bot tokens must then be entered again."
            )
        return key


def _create_key_file(path: Path) -> str:
    """A new random key in a file that is private (0600) from the moment it exists and complete
    when it appears (written aside, then linked into place; FileExistsError if one is there)."""
    key = secrets.token_urlsafe(48)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(key + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.link(draft, path)
    finally:
        draft.unlink(missing_ok=True)
    return key


def _normalise_db_url(url: str) -> str:
    """Accept postgres:// and postgresql:// URLs and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _items(value: object) -> list[str]:
    """A comma-separated string (the environment) or a list (code), without empty items."""
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return [item for item in (str(i).strip() for i in items) if item]


def load_settings(**overrides) -> Settings:
    """Read the settings from the environment, with explicit overrides (tests)."""
    return Settings(**overrides)
