"""Encrypting an organization's processor secrets at rest (cryptography's Fernet).

The keys come from the environment (`GATEWAY_SECRETS_KEYS`, comma-separated, newest first:
MultiFernet decrypts with any and encrypts with the first, so a key can be rotated). The demo
and the tests derive one from SECRET_KEY; production must set its own."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def keys_configured() -> bool:
    return bool(settings.GATEWAY_SECRETS_KEYS)


def _fernet() -> MultiFernet:
    keys = list(settings.GATEWAY_SECRETS_KEYS)
    if not keys:
        if not (settings.DEBUG or getattr(settings, "TESTING", False)):
            raise ImproperlyConfigured(
                "Set GATEWAY_SECRETS_KEYS (a Fernet key: python -c 'from cryptography.fernet "
                "import Fernet; print(Fernet.generate_key().decode())') to store processor keys."
            )
        digest = hashlib.sha256(("gateway-secrets:" + settings.SECRET_KEY).encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured("GATEWAY_SECRETS_KEYS must be Fernet keys.") from None


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    if not value:
        return ""
    try:
        return _fernet().decrypt(value.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A stored processor secret cannot be decrypted with GATEWAY_SECRETS_KEYS."
        ) from None
