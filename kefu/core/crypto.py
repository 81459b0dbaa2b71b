"""Encryption at rest for personal data, plus a keyed hash ("blind index") to look values up.

Fernet (AES-128-CBC + HMAC) with a key derived from FIELD_ENCRYPTION_KEY. The lookup hash is an
HMAC of the normalised value, so `find customer by e-mail` works without decrypting every row.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    digest = hashlib.sha256(("kefu-fernet:" + key).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(value: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except (InvalidToken, ValueError):
        # Not a token (a row written before encryption, or a wrong key): never crash a page over it.
        return ""


def lookup_hash(value: str) -> str:
    key = hashlib.sha256(("kefu-lookup:" + settings.FIELD_ENCRYPTION_KEY).encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; Python code sees plain text. Not searchable by value."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
