"""Encryption of secrets at rest (Fernet, key derived from SECRET_KEY) and masking for display."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken


UNREADABLE = "credentials unreadable: enter them again"


class UnreadableSecret(ValueError):
    """A stored secret cannot be decrypted with the current SECRET_KEY (changed or lost)."""


class SecretBox:
    """Encrypts and decrypts short secrets such as API keys and bot tokens."""

    def __init__(self, secret_key: str) -> None:
        digest = hashlib.sha256(("ai-agents/secrets/v1:" + secret_key).encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))
        # An agent's key is read for every message it answers: the same token, checked and
        # decrypted again each time (~1.5% of a message's CPU). A token that fails is not kept.
        self._decrypted = lru_cache(maxsize=1024)(self._decrypt)

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._decrypted(token)

    def _decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise UnreadableSecret(
                f"{UNREADABLE} (a stored secret cannot be decrypted: SECRET_KEY changed since it was saved)"
            ) from None

    def readable(self, token: str | None) -> tuple[str | None, bool]:
        """(the decrypted secret or None, whether what is stored could be read)."""
        if not token:
            return None, True
        try:
            return self.decrypt(token), True
        except UnreadableSecret:
            return None, False


def mask_secret(secret: str | None) -> str | None:
    """Show a secret as its prefix and last four characters: 'sk-...wxyz'."""
    if not secret:
        return None
    if len(secret) <= 8:
        return "..." + secret[-2:]
    prefix = secret[:3] if secret.startswith("sk-") else secret[:2]
    return f"{prefix}...{secret[-4:]}"
