"""Password hashing that does not starve booking (issue 17, item 2).

- Argon2id at OWASP's recommended cost (m = 19 MiB, t = 2, p = 1): about a tenth of the CPU
  of Django's default Argon2 parameters (m = 100 MiB, p = 8) at a strength OWASP accepts.
  Hashes made with other parameters are re-hashed at the next successful login (Django
  compares the parameters: `must_update`).
- A bound on concurrent hashing per worker process (PASSWORD_HASHING_CONCURRENCY): a hash
  that cannot get a slot within PASSWORD_HASHING_WAIT_SECONDS raises HashingBusy, which the
  portal answers with a polite 503 and Retry-After (portal/busy.py) instead of queueing the
  request behind a storm of logins while families who are logged in wait to book.
"""

import threading
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.utils.translation import gettext_lazy as _


class HashingBusy(Exception):
    """Too many passwords are being checked in this worker right now."""

    retry_after = 3  # seconds: a few logins' worth
    message = _("Many families are logging in right now. Please try again in a few seconds.")


_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}


def _semaphore() -> threading.BoundedSemaphore:
    size = max(1, settings.PASSWORD_HASHING_CONCURRENCY)
    with _lock:
        if size not in _slots:
            _slots[size] = threading.BoundedSemaphore(size)
        return _slots[size]


@contextmanager
def hashing_slot():
    """One of the worker's hashing slots, or HashingBusy after a short wait."""
    semaphore = _semaphore()
    if not semaphore.acquire(timeout=settings.PASSWORD_HASHING_WAIT_SECONDS):
        raise HashingBusy
    try:
        yield
    finally:
        semaphore.release()


class OwaspArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, m = 19 MiB, t = 2, p = 1 (OWASP Password Storage Cheat Sheet), bounded."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1

    def encode(self, password, salt):
        with hashing_slot():
            return super().encode(password, salt)

    def verify(self, password, encoded):
        with hashing_slot():
            return super().verify(password, encoded)
