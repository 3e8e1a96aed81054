"""The one rate-limit rule (springboard/core/ratelimits.py) every limit is counted by: rates,
fixed windows shifted per key, Retry-After to the window's end, groups and keys counted apart,
one round trip a limit on Redis, fail open, switched off by RATELIMIT_ENABLE. Each counting
test runs on the tests' local memory and on a real Redis (db 14, this project's RedisCache,
a key prefix of the test's own; skipped when no Redis answers: tests/conftest.py's
`on_redis`, which reads this module's REDIS_URL)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import RequestFactory

from springboard.core import ratelimits

REDIS_URL = "redis://127.0.0.1:6379/14"
NOW = datetime(2026, 3, 2, 15, 0, 0, tzinfo=UTC)
requests = RequestFactory()


@pytest.fixture(params=["locmem", "redis"])
def any_cache(request):
    """The tests' own cache (local memory), then a real Redis."""
    return request.getfixturevalue("on_redis") if request.param == "redis" else None


def from_address(ip: str):
    return requests.get("/", REMOTE_ADDR=ip)


def per_address(rate: str, group: str = "test:address"):
    return [(group, "ip", rate)]


@pytest.mark.parametrize(
    ("rate", "count_and_seconds"),
    [("5/m", (5, 60)), ("10/h", (10, 3600)), ("100/5m", (100, 300)), ("2/s", (2, 1))]
    + [("1/d", (1, 86400)), ("0/h", (0, 3600))],
)
def test_rates_read_as_a_count_per_period(rate, count_and_seconds):
    assert ratelimits.parse_rate(rate) == count_and_seconds


@pytest.mark.parametrize("rate", ["5", "5/", "/m", "five/m", "5/w", "5/0m", "5/m ", "-1/m"])
def test_a_rate_that_is_not_a_count_per_period_is_refused(rate):
    with pytest.raises(ValueError, match="count/period"):
        ratelimits.parse_rate(rate)


def test_windows_end_within_a_period_and_turn_at_different_moments_per_key():
    moment = int(NOW.timestamp())
    ends = [ratelimits.window_end(f"10.0.0.{n}", 3600, now=NOW) for n in range(100)]
    assert all(moment < end <= moment + 3600 for end in ends)
    assert len(set(ends)) > 90  # not every address's hour turns at once
    # One key's window holds until its end, then the next one starts.
    end = ends[0]
    assert ratelimits.window_end("10.0.0.0", 3600, now=NOW + timedelta(seconds=1)) == end
    after = datetime.fromtimestamp(end, UTC)
    assert ratelimits.window_end("10.0.0.0", 3600, now=after) == end + 3600


def test_over_the_limit_the_wait_is_the_seconds_to_the_windows_end(any_cache):
    request = from_address("198.51.100.7")
    answers = [ratelimits.wait_seconds(request, per_address("3/m"), now=NOW) for _ in range(4)]
    assert answers[:3] == [None] * 3
    end = ratelimits.window_end("198.51.100.7", 60, now=NOW)
    assert answers[3] == end - int(NOW.timestamp())
    assert 1 <= answers[3] <= 60
    # A second before the end it is still limited; at the end a fresh window starts.
    just_before = NOW + timedelta(seconds=answers[3] - 1)
    assert ratelimits.wait_seconds(request, per_address("3/m"), now=just_before) == 1
    at_the_end = NOW + timedelta(seconds=answers[3])
    assert ratelimits.wait_seconds(request, per_address("3/m"), now=at_the_end) is None


def test_groups_and_keys_count_apart(any_cache):
    ana, bea = from_address("198.51.100.7"), from_address("203.0.113.20")
    for _ in range(2):
        ratelimits.wait_seconds(ana, per_address("2/h", "signup:address"), now=NOW)
    assert ratelimits.wait_seconds(ana, per_address("2/h", "signup:address"), now=NOW)
    # The same address in another group, and another address in the same group, are free.
    assert ratelimits.wait_seconds(ana, per_address("2/h", "code:address"), now=NOW) is None
    assert ratelimits.wait_seconds(bea, per_address("2/h", "signup:address"), now=NOW) is None


def test_every_limit_counts_even_when_one_is_over(any_cache):
    request = from_address("198.51.100.7")
    email = ("test:email", lambda _group, _request: "ana@example.com", "5/h")
    both = [("test:address", "ip", "1/h"), email]
    answers = [ratelimits.wait_seconds(request, both, now=NOW) for _ in range(5)]
    assert answers[0] is None and all(answers[1:])
    # Five counted on the email although the address was over from the second.
    assert ratelimits.wait_seconds(request, [email], now=NOW) is not None


def test_an_ipv6_address_counts_by_its_network(any_cache):
    for host in range(3):
        request = from_address(f"2001:db8::{host + 1:x}")
        assert ratelimits.wait_seconds(request, per_address("3/m"), now=NOW) is None
    neighbour = from_address("2001:db8::ffff:1")
    assert ratelimits.wait_seconds(neighbour, per_address("3/m"), now=NOW) is not None
    elsewhere = from_address("2001:db8:0:1::1")  # another /64
    assert ratelimits.wait_seconds(elsewhere, per_address("3/m"), now=NOW) is None


def test_each_limit_costs_one_round_trip_on_redis(on_redis, round_trips):
    request = from_address("198.51.100.7")
    checks = [("test:address", "ip", "5/h"), ("test:family", lambda _g, _r: "family-7", "5/h")]
    ratelimits.wait_seconds(request, checks, now=NOW)
    round_trips.clear()
    assert ratelimits.wait_seconds(request, checks, now=NOW) is None
    assert len(round_trips) == 2


def test_an_email_never_reaches_the_cache_in_clear(on_redis):
    server, prefix = on_redis
    request = from_address("198.51.100.7")
    email = [("test:email", lambda _group, _request: "ana@example.com", "5/h")]
    ratelimits.wait_seconds(request, email, now=NOW)
    keys = [key.decode() for key in server.scan_iter(match=f"{prefix}:*")]
    assert len(keys) == 1
    assert "ana@example.com" not in keys[0]


@pytest.mark.django_db
def test_over_the_limit_the_api_answers_429_with_retry_after(any_cache, client, org, settings):
    settings.API_RATE_LIMITS = {"address": "3/m"}
    assert [client.get("/api/v1/acme/locations").status_code for _ in range(3)] == [200] * 3
    limited = client.get("/api/v1/acme/locations")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60


def test_a_cache_that_does_not_answer_skips_the_limits_and_says_which(settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "springboard.core.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    request = from_address("198.51.100.7")
    checks = [("test:address", "ip", "0/h"), ("test:email", lambda _g, _r: "a@example.com", "0/h")]
    assert ratelimits.wait_seconds(request, checks, now=NOW) is None  # over both, had it counted
    assert "Rate limits skipped (test:address, test:email): the cache did not answer" in (
        caplog.text
    )


def test_rate_limits_can_be_switched_off(settings):
    settings.RATELIMIT_ENABLE = False
    request = from_address("198.51.100.7")
    assert ratelimits.wait_seconds(request, per_address("0/h"), now=NOW) is None
    settings.RATELIMIT_ENABLE = True
    assert ratelimits.wait_seconds(request, per_address("0/h"), now=NOW) is not None
