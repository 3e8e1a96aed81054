"""The waiting room's rate limits (waitingroom/ratelimit.py, the rule of core/ratelimits.py;
its own tests: tests/core/test_ratelimits.py), counted in one round trip on
Redis (springboard.core.redis_cache.count: INCR and EXPIRE in one Lua script) and with `add`
then `incr` on local memory (the demo and the tests' own cache). The Redis tests use a real Redis
(test_admission.REDIS_URL), each test under a key prefix of its own, and skip without one;
`on_redis` and `round_trips` are tests/conftest.py's."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from springboard.core import redis_cache
from springboard.waitingroom import ratelimit
from tests.waitingroom.conftest import NOW, OPENS
from tests.waitingroom.test_admission import REDIS_URL  # noqa: F401 - read by on_redis
from tests.waitingroom.test_waiting_page import status_url, waiting_page

pytestmark = pytest.mark.django_db


def test_a_counter_counts_on_local_memory():
    assert [redis_cache.count(cache, "counter", 60) for _ in range(3)] == [1, 2, 3]
    assert cache.get("counter") == 3


def test_a_counter_counts_in_one_round_trip_and_keeps_its_first_expiry(on_redis, round_trips):
    server, prefix = on_redis
    assert redis_cache.count(cache, "counter", 60) == 1
    server.expire(f"{prefix}:1:counter", 30)  # as if 30 seconds had passed
    round_trips.clear()
    assert [redis_cache.count(cache, "counter", 60) for _ in range(3)] == [2, 3, 4]
    assert len(round_trips) == 3
    assert 0 < server.ttl(f"{prefix}:1:counter") <= 30  # set once: a window never stretches
    assert cache.get("counter") == 4  # a plain integer, as Django's cache counts


def test_the_limit_counts_per_address_and_tells_how_long_to_wait(on_redis):
    requests = RequestFactory()
    one = requests.get("/", REMOTE_ADDR="10.0.0.1")
    other = requests.get("/", REMOTE_ADDR="10.0.0.2")
    answers = [ratelimit.wait_seconds(one, "status", now=NOW) for _ in range(121)]
    assert answers[:120] == [None] * 120
    assert 1 <= answers[120] <= 60
    assert ratelimit.wait_seconds(other, "status", now=NOW) is None
    # The next window starts afresh.
    later = NOW + timedelta(seconds=answers[120])
    assert ratelimit.wait_seconds(one, "status", now=later) is None


def test_ipv6_addresses_count_by_their_network(on_redis):
    requests = RequestFactory()
    for host in range(120):
        request = requests.get("/", REMOTE_ADDR=f"2001:db8::{host + 1:x}")
        assert ratelimit.wait_seconds(request, "status", now=NOW) is None
    neighbour = requests.get("/", REMOTE_ADDR="2001:db8::ffff")
    assert ratelimit.wait_seconds(neighbour, "status", now=NOW) is not None


def test_hammering_the_refresh_on_redis_is_limited_in_one_round_trip_each(
    clock, room, course, logged_in, on_redis, round_trips
):
    url = status_url(waiting_page(logged_in, course))
    clock.move_to(OPENS + timedelta(seconds=1))
    logged_in.get(url)  # the first ask after the opening draws the lottery
    round_trips.clear()
    assert logged_in.get(url).json()["state"] == "admitted"
    assert len(round_trips) == 2  # the rate limit, then the settings and standing at once
    answers = [logged_in.get(url).status_code for _ in range(119)]
    assert answers[:118] == [200] * 118
    round_trips.clear()
    assert answers[118] == 429
    limited = logged_in.get(url)
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1
    assert len(round_trips) == 1  # a limited refresh costs the count alone


def test_a_cache_that_does_not_answer_skips_the_limit(settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "springboard.core.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    assert ratelimit.wait_seconds(request, "status", now=NOW) is None
    assert "Rate limit skipped" in caplog.text
