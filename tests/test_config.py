"""Settings: defaults, database URL, secret key file, refusing an open API on the network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ai_agents.config import ConfigError, _create_key_file, load_settings

ROOT = Path(__file__).resolve().parents[1]
NETWORK_VARIABLES = {
    "HOST",
    "PORT",
    "API_TOKEN",
    "ALLOWED_HOSTS",
    "ALLOWED_ORIGINS",
    "REFLEX_BACKEND_HOST",
    "REFLEX_BACKEND_PORT",
    "REFLEX_CORS_ALLOWED_ORIGINS",
}


def test_defaults(tmp_path, monkeypatch):
    for name in ("PORT", "HOST", "DATABASE_URL", "API_TOKEN", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(data_dir=tmp_path)
    assert settings.port == 8080 and settings.host == "127.0.0.1"
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve() / 'ai_agents.db'}"


def test_environment_variables_are_read(monkeypatch):
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db:5432/app")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    settings = load_settings()
    assert settings.port == 9000 and settings.log_level == "DEBUG"
    assert settings.resolved_database_url == "postgresql+psycopg://u:p@db:5432/app"


def test_unknown_log_level_is_refused():
    with pytest.raises(ValueError, match="LOG_LEVEL"):
        load_settings(log_level="chatty")


def test_secret_key_is_generated_once_and_kept(tmp_path):
    settings = load_settings(data_dir=tmp_path, secret_key="")
    first = settings.load_secret_key()
    assert len(first) >= 32
    assert load_settings(data_dir=tmp_path, secret_key="").load_secret_key() == first
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("key", ["changeme", "short"])
def test_placeholder_secret_key_refused(tmp_path, key):
    with pytest.raises(ConfigError):
        load_settings(data_dir=tmp_path, secret_key=key).load_secret_key()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_loopback_without_token_is_allowed(host):
    load_settings(host=host, api_token="").check_exposure()


def test_network_address_without_token_refuses_with_instructions():
    with pytest.raises(ConfigError, match="API_TOKEN") as error:
        load_settings(host="0.0.0.0", api_token="").check_exposure()
    assert "export API_TOKEN" in str(error.value)


def test_network_address_with_token_is_allowed():
    load_settings(host="0.0.0.0", api_token="s3cr3t-token-value").check_exposure()


def test_address_given_to_reflex_is_the_one_checked(monkeypatch):
    """`reflex run --backend-host 0.0.0.0` exports REFLEX_BACKEND_HOST for the workers: HOST alone is not enough."""
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.setenv("REFLEX_BACKEND_HOST", "0.0.0.0")
    monkeypatch.delenv("API_TOKEN", raising=False)
    settings = load_settings()
    assert settings.host == "127.0.0.1" and settings.bind_host == "0.0.0.0"
    with pytest.raises(ConfigError, match="Refusing to listen on 0.0.0.0"):
        settings.check_exposure()


@pytest.mark.parametrize("token", ["abc", "fifteen-chars-x"])
def test_short_token_is_refused_with_its_length(token):
    with pytest.raises(ConfigError, match=f"{len(token)} characters long; use at least 16"):
        load_settings(host="127.0.0.1", api_token=token).check_exposure()


def test_sixteen_character_token_is_enough():
    load_settings(host="0.0.0.0", api_token="sixteen-chars-ok").check_exposure()


def _rxconfig(env: dict[str, str]) -> subprocess.CompletedProcess:
    """Load rxconfig.py in a fresh interpreter as Reflex does, printing the bind address and origins."""
    clean = {k: v for k, v in os.environ.items() if k not in NETWORK_VARIABLES}
    code = (
        "import rxconfig as r; "
        "print(r.config.backend_host, r.config.backend_port, ','.join(r.config.cors_allowed_origins))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_reflex_binds_loopback_by_default_and_host_when_set():
    default = _rxconfig({})
    assert default.returncode == 0, default.stderr
    host, port, origins = default.stdout.split()
    assert (host, port) == ("127.0.0.1", "8080")
    assert "*" not in origins.split(",") and "http://localhost:8080" in origins.split(",")
    custom = _rxconfig({"HOST": "0.0.0.0", "PORT": "9000", "API_TOKEN": "a-long-enough-token-value"})
    assert custom.stdout.split()[:2] == ["0.0.0.0", "9000"], custom.stderr


@pytest.mark.parametrize(
    "env, message",
    [
        ({"REFLEX_BACKEND_HOST": "0.0.0.0"}, "Refusing to listen on 0.0.0.0 without API_TOKEN"),
        ({"API_TOKEN": "short"}, "API_TOKEN is 5 characters long"),
        ({"REFLEX_CORS_ALLOWED_ORIGINS": "*"}, "list extra origins in ALLOWED_ORIGINS"),
    ],
)
def test_rxconfig_refuses_unsafe_settings_with_a_clear_error(env, message):
    result = _rxconfig(env)
    assert result.returncode == 1 and message in result.stderr and "Traceback" not in result.stderr


def test_trusted_hosts_are_loopback_the_bound_address_and_allowed_hosts():
    assert load_settings(host="127.0.0.1").trusted_hosts == ["localhost", "127.0.0.1", "[::1]"]
    wildcard = load_settings(host="0.0.0.0", allowed_hosts="chat.example.com, *.corp.example")
    assert wildcard.trusted_hosts == ["localhost", "127.0.0.1", "[::1]", "chat.example.com", "*.corp.example"]
    assert "192.168.1.5" in load_settings(host="192.168.1.5").trusted_hosts
    assert "[fd00::5]" in load_settings(host="fd00::5").trusted_hosts


def test_trusted_origins_are_the_servers_own_and_allowed_origins():
    settings = load_settings(host="127.0.0.1", port=8080, allowed_origins="https://Admin.example.com/")
    origins = settings.trusted_origins
    assert {"http://localhost:8080", "http://127.0.0.1:8080", "http://[::1]:8080", "https://localhost"} <= set(origins)
    assert "https://admin.example.com" in origins
    assert not any("evil" in origin or origin == "*" for origin in origins)
    assert "http://chat.example.com" in load_settings(port=80, allowed_hosts="chat.example.com").trusted_origins


@pytest.mark.parametrize(
    "name, value",
    [
        ("allowed_hosts", "http://chat.example.com"),
        ("allowed_hosts", "chat:8080"),
        ("allowed_hosts", "chat.*.com"),
        ("allowed_origins", "chat.example.com"),
        ("allowed_origins", "https://chat.example.com/app"),
    ],
)
def test_malformed_hosts_and_origins_are_refused_naming_the_setting(name, value):
    with pytest.raises(ValueError, match=name.upper()):
        load_settings(**{name: value})
def test_empty_secret_key_file_is_refused_with_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    (tmp_path / "secret_key").write_text("\n")
    with pytest.raises(ConfigError, match="is empty") as error:
        load_settings(data_dir=tmp_path, secret_key="").load_secret_key()
    assert "Restore it from your backup" in str(error.value)


def test_secret_key_file_is_private_from_the_start(tmp_path, monkeypatch):
    """Created with mode 0600 by os.open: never readable by others, not even between write and chmod."""
    monkeypatch.delenv("SECRET_KEY", raising=False)

    def no_chmod(*args, **kwargs):
        raise AssertionError("the key file must be created private, not chmod-ed after writing")

    monkeypatch.setattr("os.chmod", no_chmod)
    monkeypatch.setattr("pathlib.Path.chmod", no_chmod)
    old_umask = os.umask(0o022)
    try:
        key = load_settings(data_dir=tmp_path / "new", secret_key="").load_secret_key()
    finally:
        os.umask(old_umask)
    path = tmp_path / "new" / "secret_key"
    assert oct(path.stat().st_mode & 0o777) == "0o600" and path.read_text().strip() == key
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no draft left behind


def test_key_file_made_by_another_process_meanwhile_is_used(tmp_path):
    (tmp_path / "secret_key").write_text("theirs-0123456789abcdef\n")
    with pytest.raises(FileExistsError):
        _create_key_file(tmp_path / "secret_key")
    assert load_settings(data_dir=tmp_path, secret_key="").load_secret_key() == "theirs-0123456789abcdef"
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_the_device_client_test_seam_is_refused_without_test_seams(monkeypatch):
    monkeypatch.setenv("WHATSAPP_DEVICE_CLIENT", "tests.support.device_world:client_factory")
    monkeypatch.delenv("TEST_SEAMS", raising=False)
    with pytest.raises(ValueError, match="WHATSAPP_DEVICE_CLIENT=.* is a test seam, refused unless TEST_SEAMS=1"):
        load_settings()
    monkeypatch.setenv("TEST_SEAMS", "1")
    assert load_settings().whatsapp_device_client == "tests.support.device_world:client_factory"
