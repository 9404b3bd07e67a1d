"""The real neonize client, offline: it imports, is built over our session store, and opens that
store (a SQLite file in DATA_DIR, or the PostgreSQL database of DATABASE_URL)."""

from __future__ import annotations

import pytest

from ai_agents.channels.whatsapp_client import SessionStore, libpq_url
from ai_agents.channels.whatsapp_neonize import NeonizeDeviceClient, parse_jid, stored_devices


def test_the_real_client_is_built_offline_over_a_sqlite_session_file(tmp_path):
    sessions = SessionStore(tmp_path / "data")
    location = sessions.location(4)
    events: list[object] = []
    client = NeonizeDeviceClient(session=location, device_jid=None, on_event=events.append, key="whatsapp-4")

    assert location == str((tmp_path / "data" / "whatsapp" / "device-4.db").resolve())
    assert (tmp_path / "data" / "whatsapp" / "device-4.db").exists()  # whatsmeow created its store
    assert stored_devices(location) == []  # nothing paired yet: the next run shows a QR code
    assert client._client.uuid == b"whatsapp-4"  # our key in neonize's registry, not a phone number
    assert client._client.new_device is True
    assert client.me() is None  # not running: no call reaches the Go side
    client.stop()  # safe before run
    sessions.forget(4)
    assert not (tmp_path / "data" / "whatsapp" / "device-4.db").exists()


def test_the_session_store_opens_in_postgresql(pg_server):
    if pg_server is None:
        pytest.skip("PostgreSQL binaries not installed here")
    url = pg_server.create_database()
    location = SessionStore(data_dir=None, database_url=url).location(1)
    assert location.startswith("postgres://")
    assert stored_devices(location) == []  # whatsmeow connected and created its tables


def test_a_device_jid_round_trips_through_neonize_jid():
    jid = parse_jid("15550001111:7@s.whatsapp.net")
    assert (jid.User, jid.Device, jid.Server) == ("15550001111", 7, "s.whatsapp.net")


def test_sqlalchemy_urls_become_libpq_urls_that_use_tls_when_the_server_has_it():
    assert libpq_url("postgresql+psycopg://u:p@127.0.0.1:5432/db?sslmode=disable") == (
        "postgres://u:p@127.0.0.1:5432/db?sslmode=disable"
    )
    assert libpq_url("postgresql+psycopg://u:p@db/app") == "postgres://u:p@db/app?sslmode=prefer"


def test_a_store_that_cannot_be_opened_says_why(tmp_path):
    with pytest.raises(RuntimeError, match="session store could not be opened"):
        stored_devices(str(tmp_path / "missing-folder" / "device.db"))
