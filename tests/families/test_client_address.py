"""The client's address: REMOTE_ADDR, unless the request comes from one of our own reverse
proxies (TRUSTED_PROXIES), whose X-Forwarded-For is then read from the right."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

from springboard.families.throttle import client_ip

PROXY = "10.0.0.2"
EDGE = "10.0.0.3"
FAMILY = "198.51.100.7"


def request(remote=PROXY, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request(remote=FAMILY, forwarded="203.0.113.99")) == FAMILY


def test_a_stranger_cannot_pick_an_address_by_sending_x_forwarded_for(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    # Straight to the app server, not through the proxy: the header proves nothing.
    assert client_ip(request(remote=FAMILY, forwarded="203.0.113.99")) == FAMILY


def test_through_the_trusted_proxy_the_client_is_the_address_it_saw(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_ip(request(forwarded=FAMILY)) == FAMILY
    # What the client wrote itself (left of what the proxy appended) is not believed.
    assert client_ip(request(forwarded=f"203.0.113.99, {FAMILY}")) == FAMILY


def test_a_chain_of_our_own_proxies_is_skipped(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(request(forwarded=f"203.0.113.99, {FAMILY}, {EDGE}")) == FAMILY


def test_ipv6_clients_and_proxies_are_understood(settings):
    settings.TRUSTED_PROXIES = ["2001:db8:1::/64"]
    assert client_ip(request(remote="2001:db8:1::5", forwarded="2001:db8:99::7")) == (
        "2001:db8:99::7"
    )


def test_a_proxy_that_sends_no_header_is_its_own_client(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    assert client_ip(request(forwarded=None)) == PROXY
    assert client_ip(request(forwarded="garbage")) == PROXY


def settings_with(**env) -> subprocess.CompletedProcess:
    root = Path(__file__).resolve().parents[2]
    environment = {
        **os.environ,
        "SECRET_KEY": "x" * 50,
        "PORTAL_BASE_URL": "https://portal.example.com",
        **env,
    }
    environment.pop("DATABASE_URL", None)
    code = "import config.settings as s; print(s.CACHES['default']['BACKEND'], s.TRUSTED_PROXIES)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_trusted_proxies_come_from_the_environment_and_a_typo_stops_start_up():
    good = settings_with(TRUSTED_PROXIES="10.0.0.2, 10.1.0.0/16")
    assert good.returncode == 0, good.stderr
    assert "['10.0.0.2', '10.1.0.0/16']" in good.stdout
    bad = settings_with(TRUSTED_PROXIES="10.0.0.2,nginx")
    assert bad.returncode != 0
    assert "TRUSTED_PROXIES holds 'nginx'" in bad.stderr


def test_cache_url_chooses_djangos_redis_cache_and_local_memory_without_it():
    assert "LocMemCache" in settings_with().stdout
    redis = settings_with(CACHE_URL="redis://127.0.0.1:6379/0")
    # Django's RedisCache, reusing its redis client (springboard/core/redis_cache.py).
    assert "springboard.core.redis_cache.RedisCache" in redis.stdout, redis.stderr
    bad = settings_with(CACHE_URL="memcached://127.0.0.1")
    assert bad.returncode != 0 and "CACHE_URL must be a redis:// URL" in bad.stderr


@pytest.mark.parametrize("entry", ["10.0.0.2", "10.0.0.0/8"])
def test_only_listed_addresses_are_trusted(settings, entry):
    settings.TRUSTED_PROXIES = [entry]
    assert client_ip(request(remote="192.0.2.1", forwarded=FAMILY)) == "192.0.2.1"
