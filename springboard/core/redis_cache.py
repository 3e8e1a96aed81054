"""Django's RedisCache, with one redis client per connection pool instead of one per call,
and a counter that counts in one round trip (`count`).

Django's `RedisCacheClient.get_client` builds a new `redis.Redis` for every cache operation;
building one fills its table of ~170 response callbacks, about 0.12 ms of CPU, and a portal
page makes four or five reads (session, login, organization, family): half a millisecond of
every request (docs/performance.md, "third pass"). A `redis.Redis` is safe to share (it takes
a connection from its pool per command), and Django keeps a cache object per thread anyway.

A rate limit's counter is counted on every request it limits, the waiting page's refresh
among them (a thousand pages every few seconds). The usual way, `add` (a missing key starts
at 1) then `incr` (which Django's RedisCache does as EXISTS then INCRBY), costs up to three
round trips; `count` sends INCR and EXPIRE NX (Redis 7: sets the expiry only on the key's
first count, so a window never stretches) in one pipeline: one round trip, atomic enough
(a key counted before its expiry is set is set by that same pipeline's EXPIRE). Any other
cache (local memory in the demo and the tests) counts with `add` then `incr`.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None or client.connection_pool is not pool:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def count(self, key, timeout: int) -> int:
        pipe = self.get_client(key, write=True).pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, timeout, nx=True)
        counted, _expiry_set = pipe.execute()
        return counted


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def count(self, key, timeout: int, version=None) -> int:
        """Count one more on `key` (1 when it is new, then kept `timeout` seconds): the
        count after this one, in one round trip. The key holds a plain integer, so `get`
        reads it as any cache's counter."""
        key = self.make_and_validate_key(key, version=version)
        return self._cache.count(key, timeout)


def count(cache, key: str, timeout: int) -> int:
    """One more on the counter `key` of `cache` (a backend or django.core.cache.cache; kept
    `timeout` seconds from its first count); the count after this one. One round trip on
    this module's RedisCache (its `count`; Django's own caches have no such method)."""
    one_trip = getattr(cache, "count", None)
    if one_trip is not None:
        return one_trip(key, timeout)
    if cache.add(key, 1, timeout):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two: this is the next window's first
        cache.add(key, 1, timeout)
        return 1
