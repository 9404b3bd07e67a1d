"""Secrets at rest: encryption round trip, wrong key, masking."""

from __future__ import annotations

import pytest

from ai_agents.crypto import SecretBox, UnreadableSecret, mask_secret


def test_round_trip_and_ciphertext_hides_plaintext():
    box = SecretBox("key-one-0123456789")
    token = box.encrypt("sk-live-secret-value")
    assert "sk-live" not in token and box.decrypt(token) == "sk-live-secret-value"


def test_wrong_key_gives_clear_error():
    token = SecretBox("key-one-0123456789").encrypt("x")
    with pytest.raises(ValueError, match="SECRET_KEY changed"):
        SecretBox("key-two-0123456789").decrypt(token)


@pytest.mark.parametrize(
    ("secret", "shown"),
    [("sk-abcdefghijklwxyz", "sk-...wxyz"), ("123456:ABCDEFGHIJ", "12...GHIJ"), ("short", "...rt"), (None, None)],
)
def test_masking(secret, shown):
    assert mask_secret(secret) == shown


def test_unreadable_secret_is_reported_not_raised_by_readable():
    token = SecretBox("key-one-0123456789").encrypt("sk-abc")
    other = SecretBox("key-two-0123456789")
    with pytest.raises(UnreadableSecret, match="credentials unreadable: enter them again"):
        other.decrypt(token)
    assert other.readable(token) == (None, False)
    assert other.readable(None) == (None, True)
    assert SecretBox("key-one-0123456789").readable(token) == ("sk-abc", True)


def test_a_token_read_again_is_not_decrypted_again_and_a_bad_one_fails_every_time(monkeypatch):
    box = SecretBox("key-one-0123456789")
    token = box.encrypt("sk-abc")
    calls = []
    real = box._fernet.decrypt
    monkeypatch.setattr(box._fernet, "decrypt", lambda data: calls.append(data) or real(data))
    assert [box.decrypt(token) for _ in range(3)] == ["sk-abc"] * 3
    assert len(calls) == 1
    other = SecretBox("key-two-0123456789")
    for _ in range(2):
        with pytest.raises(UnreadableSecret):
            other.decrypt(token)
