"""Gift card codes: long, random, unambiguous, and stored only as a keyed hash + last four.

A code is 16 characters of a 32-letter alphabet without 0/O and 1/I (80 bits), shown as
XXXX-XXXX-XXXX-XXXX. Like the email codes (families.codes), it is *derived* from its row —
an HMAC of the card's id and a random per-card nonce under GIFT_CARD_CODE_KEY (a setting;
SECRET_KEY when unset) — so the worker that emails it on the delivery date, and staff's
"resend", compute it where the email is rendered, and the database holds only the nonce,
the hash (an HMAC of the code under the same key) and the last four. Reading a code needs
the key and the row; guessing one is rate-limited (giftcards.ratelimits) and the space is
2^80 per organization.
"""

import secrets

from django.conf import settings
from django.utils.crypto import salted_hmac

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, no 1/I
LENGTH = 16


def _key() -> str:
    return getattr(settings, "GIFT_CARD_CODE_KEY", "") or settings.SECRET_KEY


def new_nonce() -> str:
    return secrets.token_hex(16)


def code_for(card) -> str:
    """The card's code, with dashes."""
    digest = salted_hmac(
        "springboard.gift-card.code",
        f"{card.organization_id}:{card.pk}:{card.code_nonce}",
        secret=_key(),
        algorithm="sha256",
    ).digest()
    number = int.from_bytes(digest[:10], "big")
    symbols = []
    for _position in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        symbols.append(ALPHABET[index])
    plain = "".join(symbols)
    return "-".join(plain[i : i + 4] for i in range(0, LENGTH, 4))


def normalize(text) -> str | None:
    """A typed code without spaces and dashes, upper-cased; None if it cannot be a code."""
    plain = "".join(str(text or "")[:64].split()).replace("-", "").upper()
    if len(plain) != LENGTH or any(char not in ALPHABET for char in plain):
        return None
    return plain


def hash_code(organization_id: int, code: str) -> str:
    plain = normalize(code) or ""
    return salted_hmac(
        "springboard.gift-card.hash",
        f"{organization_id}:{plain}",
        secret=_key(),
        algorithm="sha256",
    ).hexdigest()
