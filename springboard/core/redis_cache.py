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
round trips; `count` runs a Lua script (EVALSHA: INCR, and EXPIRE on the key's first count,
so a window never stretches) in one round trip, atomically on the server. A pipeline of INCR
and EXPIRE NX would do too, but costs the client ~20 µs more CPU a call (131 µs against 112,
add-then-incr 330; docs/performance.md, "roomcost3"). Any other cache (local memory in the
demo and the tests) counts with `add` then `incr`.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from redis.commands.core import Script

# KEYS[1] the counter, ARGV[1] its lifetime in seconds from the first count.
COUNT_SCRIPT = """
local counted = redis.call('INCR', KEYS[1])
if counted == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return counted
"""


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._count_script = None

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None or client.connection_pool is not pool:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def count(self, key, timeout: int) -> int:
        client = self.get_client(key, write=True)
        if self._count_script is None:
            # Its SHA computed once; a server that lost it (restart, SCRIPT FLUSH) is sent
            # the script again by redis-py.
            self._count_script = Script(client, COUNT_SCRIPT)
        return self._count_script(keys=[key], args=[timeout], client=client)


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
