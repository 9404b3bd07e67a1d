"""The command line: check, migrate and backup."""

from __future__ import annotations

from ai_agents import cli


def test_migrate_then_backup(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert cli.main(["migrate"]) == 0
    assert cli.main(["backup", "--output", str(tmp_path / "b.db")]) == 0
    assert (tmp_path / "b.db").stat().st_size > 0
    assert "backup written" in capsys.readouterr().out


def test_check_refuses_open_network_api(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.delenv("API_TOKEN", raising=False)
    assert cli.main(["check"]) == 2
    assert "API_TOKEN" in capsys.readouterr().err
