"""Deploy checks (`manage.py check --deploy`) for the client address and the rate limits."""

from django.conf import settings
from django.core import checks

LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@checks.register(checks.Tags.caches, deploy=True)
def rate_limits_need_a_shared_cache(app_configs, **kwargs):
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in LOCAL_CACHES:
        return [
            checks.Warning(
                "The cache is local to each process, so rate limits count per worker.",
                hint="Set CACHE_URL=redis://host:6379/0 (docs/accounts.md, Rate limits).",
                id="springboard.W001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def a_proxy_needs_trusted_proxies(app_configs, **kwargs):
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not settings.TRUSTED_PROXIES:
        return [
            checks.Warning(
                "Behind a TLS proxy with no TRUSTED_PROXIES, every family has the proxy's "
                "address: one family's wrong passwords pause everyone's logins.",
                hint="Set TRUSTED_PROXIES to the proxy's address (docs/accounts.md).",
                id="springboard.W002",
            )
        ]
    return []
