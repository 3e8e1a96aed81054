"""With CACHE_URL the cache is Django's RedisCache, and the rate limits count there, shared by
every worker (a real Redis: 127.0.0.1:6379, started with the machine and in CI)."""

import uuid

import pytest
from django.core.cache import caches
from django.test import Client

from springboard.families.models import EmailCode
from tests import family_factories

pytestmark = pytest.mark.django_db
REDIS = "redis://127.0.0.1:6379/13"


@pytest.fixture
def redis_cache(settings):
    redis = pytest.importorskip("redis")
    server = redis.Redis.from_url(REDIS)
    try:
        server.ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis at 127.0.0.1:6379 (CI has it)")
    prefix = f"springboard-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS,
            "KEY_PREFIX": prefix,
        }
    }
    yield server, prefix
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def test_rate_limits_count_in_the_shared_redis_across_workers(redis_cache, org):
    server, prefix = redis_cache
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
