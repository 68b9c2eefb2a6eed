"""Encryption at rest for check-in answers: Fernet, with the key kept outside the database.

`ANSWER_KEYS` holds one or more Fernet keys, comma-separated; the first encrypts, all
decrypt (so a key can be rotated). Without it, a key file in the instance folder is
created on first start (mode 0600), which suits a single local machine.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class AnswerCipher:
    """Encrypts and decrypts answer text."""

    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one answer key is needed")
        self._fernet = MultiFernet([Fernet(key.encode()) for key in keys])
        # a key of its own for pseudonyms, derived from the first answer key
        self._pseudonym_key = hmac.new(keys[0].encode(), b"heart-to-heart pseudonym", hashlib.sha256).digest()

    def pseudonym(self, value: str) -> str:
        """A keyed hash of `value` (a client's address): the same for the same value, and
        not reversible without the key, so what is stored is never the value itself."""
        return hmac.new(self._pseudonym_key, value.encode("utf-8"), hashlib.sha256).hexdigest()

    def encrypt(self, text: str) -> bytes:
        """Text to an authenticated ciphertext."""
        return self._fernet.encrypt(text.encode("utf-8"))

    def decrypt(self, token: bytes) -> str:
        """Ciphertext back to text; raises ValueError for a wrong key or tampered data."""
        try:
            return self._fernet.decrypt(bytes(token)).decode("utf-8")
        except InvalidToken as error:
            raise ValueError("answer cannot be decrypted with the configured keys") from error


def keys_from(setting: str | None, key_file: Path) -> list[str]:
    """The configured keys, or the instance key file's (created on first use)."""
    keys = [key.strip() for key in (setting or "").split(",") if key.strip()]
    if keys:
        return keys
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(Fernet.generate_key().decode())
    return [key_file.read_text().strip()]
