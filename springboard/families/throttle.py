"""The client's address, and the failed-login throttle (our own, instead of django-axes; see
docs/accounts.md).

- an (email, IP) pair is locked for 15 minutes after 10 failures in 15 minutes;
- an IP is locked after 50 failures across emails in 15 minutes;
- the right password from another IP still works at once: a lock never covers the email alone,
  so nobody can lock a family out from elsewhere.
"""

import ipaddress
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from ipware import get_client_ip

from springboard.families.models import LoginFailure, normalize_email_address

WINDOW = timedelta(minutes=15)
PAIR_LIMIT = 10
IP_LIMIT = 50

# The header our reverse proxies write: each appends the address it received the request from.
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR",)
MAX_PROXY_HOPS = 10


@lru_cache(maxsize=8)
def _networks(
    entries: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def is_trusted_proxy(address: str | None) -> bool:
    """Whether `address` is one of settings.TRUSTED_PROXIES (addresses or networks)."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str | None:
    """The address of the browser, as our own proxies saw it.

    A request that does not come from a trusted proxy (settings.TRUSTED_PROXIES, empty by
    default) is its own client: REMOTE_ADDR, and X-Forwarded-For is ignored, since anyone can
    send it. A request from a trusted proxy: X-Forwarded-For read by django-ipware from the
    right, skipping our own proxies; the first other address is the client (what is left of
    it was written by the client and proves nothing).
    """
    remote = request.META.get("REMOTE_ADDR") or None
    if not is_trusted_proxy(remote):
        return remote
    client = remote
    for hops in range(MAX_PROXY_HOPS + 1):
        ip, _routable = get_client_ip(
            request, proxy_count=hops, request_header_order=FORWARDED_HEADERS, strict=False
        )
        if ip is None:
            break  # the chain is shorter: its left-most address is the best there is
        client = ip
        if not is_trusted_proxy(ip):
            break
    return client


def locked_until(*, email: str, ip: str | None, now: datetime) -> datetime | None:
    """When this (email, IP) may try again, or None if it may try now."""
    email = normalize_email_address(email)
    since = now - WINDOW
    recent = LoginFailure.objects.filter(ip_address=ip, failed_at__gt=since)
    pair = recent.filter(email=email)
    for queryset, limit in ((pair, PAIR_LIMIT), (recent, IP_LIMIT)):
        failures = list(queryset.order_by("-failed_at").values_list("failed_at", flat=True)[:limit])
        if len(failures) >= limit:
            # Unlocked when the oldest of the last `limit` failures leaves the window.
            return failures[-1] + WINDOW
    return None


def record_failure(*, email: str, ip: str | None, now: datetime) -> None:
    LoginFailure.objects.create(
        email=normalize_email_address(email)[:254], ip_address=ip, failed_at=now
    )


def record_success(*, email: str, ip: str | None) -> None:
    LoginFailure.objects.filter(email=normalize_email_address(email), ip_address=ip).delete()


def forget_old_failures(*, now: datetime) -> int:
    deleted, _ = LoginFailure.objects.filter(failed_at__lt=now - WINDOW).delete()
    return deleted
