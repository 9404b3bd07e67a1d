"""Settings: defaults, database URL, secret key file, refusing an open API on the network."""

from __future__ import annotations

import os

import pytest

from ai_agents.config import ConfigError, _create_key_file, load_settings


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
