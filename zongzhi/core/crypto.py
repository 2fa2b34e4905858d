"""Field encryption for the most sensitive values (identity numbers): Fernet from the
`cryptography` package (AES-128-CBC with an HMAC, authenticated), keys from the
environment (settings.FIELD_ENCRYPTION_KEYS), never from the database.

A value that must also be *found* (is this person already on file?) gets a blind index:
an HMAC of the normalised value under a key derived from the oldest configured key, so
that adding a new key at the front (rotation) keeps every index valid.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

__all__ = ["InvalidToken", "blind_index", "decrypt", "encrypt"]


@cache
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _keys() -> tuple[str, ...]:
    return tuple(settings.FIELD_ENCRYPTION_KEYS)


def encrypt(value: str) -> str:
    if not value:
        return ""
    return _fernet(_keys()).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    return _fernet(_keys()).decrypt(token.encode()).decode()


def blind_index(value: str) -> str:
    if not value:
        return ""
    key = hashlib.sha256(b"zongzhi blind index\0" + _keys()[-1].encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
