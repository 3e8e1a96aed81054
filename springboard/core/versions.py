"""Entries in the shared cache that are valid while their versions are (issue 17, item 3).

A cached entry is stored with the version tokens it was computed under; a read fetches the
entry and the current tokens in one round trip and uses the entry only when they match. A
write to what an entry shows *bumps* a version (a new random token), so every entry made under
the old token is ignored from then on: nothing has to find and delete entries.

Bumps happen at once and again when the transaction commits: an entry computed by another
request between the write and its commit (reading the old rows) carries the token of before
the commit bump, so it is never used.

Only with a shared cache (`SHARED_CACHE`, i.e. `CACHE_URL` set): with per-process local
memory a bump in one worker would not reach another worker's entries. Off, `read` always
misses and `write`/`bump` do nothing. A cache that does not answer is a miss (logged), never
an error: the caller computes from the database.
"""

import logging
import secrets
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

log = logging.getLogger(__name__)
ENTRY_SECONDS = 60 * 60
MISSING = object()
# Keys fetched ahead in one round trip for the reads a request is about to make (read_ahead).
_AHEAD: ContextVar[dict | None] = ContextVar("versions_read_ahead", default=None)


def enabled() -> bool:
    return bool(getattr(settings, "SHARED_CACHE", False))


def _token() -> str:
    return secrets.token_hex(8)


def read_ahead(keys: list[str]):
    """Fetch these entries and versions in one round trip: the `read`s of exactly these keys
    that follow, until `end_read_ahead`, use them instead of asking the cache again. For the
    lookups a request makes before its view (portal/middleware.py), never across a write:
    end it before anything can bump. Returns the token for `end_read_ahead`."""
    if not enabled():
        return None
    try:
        found = cache.get_many(keys)
    except Exception:  # noqa: BLE001 (the reads ask the cache themselves)
        log.warning("shared cache read failed", exc_info=True)
        return None
    return _AHEAD.set({key: found.get(key) for key in keys})


def end_read_ahead(token=None) -> None:
    if token is not None:
        _AHEAD.reset(token)
    else:
        _AHEAD.set(None)


def _get_many(keys: list[str]) -> dict:
    ahead = _AHEAD.get()
    if ahead is not None and all(key in ahead for key in keys):
        return {key: ahead[key] for key in keys if ahead[key] is not None}
    return cache.get_many(keys)


def read(entry_key: str, version_keys: list[str]):
    """(value or MISSING, the current versions to write a new entry under)."""
    if not enabled():
        return MISSING, None
    try:
        found = _get_many([entry_key, *version_keys])
        versions = [found.get(key) for key in version_keys]
        if None in versions:  # never bumped yet (or evicted): start one
            for key, value in zip(version_keys, versions, strict=True):
                if value is None:
                    cache.add(key, _token(), timeout=None)
            current = cache.get_many(version_keys)
            return MISSING, tuple(current.get(key) for key in version_keys)
    except Exception:  # noqa: BLE001 (a cache outage must not take pages down)
        log.warning("shared cache read failed", exc_info=True)
        return MISSING, None
    entry = found.get(entry_key)
    versions = tuple(versions)
    if entry is not None and entry[0] == versions:
        return entry[1], versions
    return MISSING, versions


def write(entry_key: str, versions, value, timeout: int = ENTRY_SECONDS) -> None:
    if versions is None or None in versions:
        return
    try:
        cache.set(entry_key, (versions, value), timeout=timeout)
    except Exception:  # noqa: BLE001
        log.warning("shared cache write failed", exc_info=True)


def _bump_now(keys) -> None:
    try:
        cache.set_many({key: _token() for key in keys}, timeout=None)
    except Exception:  # noqa: BLE001
        log.warning("shared cache bump failed", exc_info=True)


def bump(*keys: str) -> None:
    """Every entry made under these versions is stale (now, and again at commit)."""
    if not enabled() or not keys:
        return
    _bump_now(keys)
    transaction.on_commit(lambda: _bump_now(keys))


def read_through(entry_key: str, version_keys: list[str], load):
    """The entry while its versions are current, else `load()` (kept under them). Without a
    shared cache: `load()`, every time."""
    value, current = read(entry_key, version_keys)
    if value is MISSING:
        value = load()
        write(entry_key, current, value)
    return value
