"""With CACHE_URL the cache is Django's RedisCache (reusing its client), and the rate limits
count there, shared by every worker (a real Redis: 127.0.0.1:6379, started with the machine
and in CI)."""

import uuid

import pytest
from django.core.cache import caches
from django.test import Client

from springboard.families.models import EmailCode
from tests import family_factories

pytestmark = pytest.mark.django_db
REDIS_URL = "redis://127.0.0.1:6379/13"  # read by on_redis (tests/conftest.py)


def test_rate_limits_count_in_the_shared_redis_across_workers(on_redis, org):
    server, prefix = on_redis
    family = family_factories.family(org)
    for _ in range(5):
        response = Client().post("/acme/password/forgot/", {"email": family.email})
        assert response.status_code == 302
    assert list(server.scan_iter(f"{prefix}:*"))  # the counters live in Redis
    # Another worker process has its own connection but the same counters.
    caches["default"].close()
    del caches["default"]
    codes = EmailCode.objects.count()
    response = Client().post("/acme/password/forgot/", {"email": family.email})
    assert response.status_code == 429
    assert EmailCode.objects.count() == codes


def test_the_redis_cache_builds_its_client_once_and_still_reads_and_writes(settings):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis at 127.0.0.1:6379 (CI has it)")
    from springboard.core.redis_cache import RedisCache

    cache = RedisCache(REDIS_URL, {"KEY_PREFIX": f"springboard-test-{uuid.uuid4().hex}"})
    built = []
    real = cache._cache._client
    cache._cache._client = lambda **kwargs: built.append(1) or real(**kwargs)
    cache.set("a", {"seats": 3})
    assert cache.get("a") == {"seats": 3}
    assert cache.get_many(["a", "b"]) == {"a": {"seats": 3}}
    cache.delete("a")
    assert cache.get("a") is None
    assert len(built) == 1  # Django's own builds one per call: five here


def test_a_cache_that_does_not_answer_skips_the_limits_instead_of_failing(settings, org, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    family = family_factories.family(org)
    response = Client().post("/acme/password/forgot/", {"email": family.email})
    assert response.status_code == 302
    assert "Rate limits skipped" in caplog.text


def test_deploy_checks_warn_about_a_local_cache_and_a_proxy_without_trusted_proxies(settings):
    from springboard.families import checks

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in checks.rate_limits_need_a_shared_cache(None)] == ["springboard.W001"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache"}}
    assert checks.rate_limits_need_a_shared_cache(None) == []
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = []
    assert [w.id for w in checks.a_proxy_needs_trusted_proxies(None)] == ["springboard.W002"]
    settings.TRUSTED_PROXIES = ["10.0.0.2"]
    assert checks.a_proxy_needs_trusted_proxies(None) == []
