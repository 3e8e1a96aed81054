"""Failed-login throttle (our own, instead of django-axes; see docs/accounts.md).

- an (email, IP) pair is locked for 15 minutes after 10 failures in 15 minutes;
- an IP is locked after 50 failures across emails in 15 minutes;
- the right password from another IP still works at once: a lock never covers the email alone,
  so nobody can lock a family out from elsewhere.
"""

from datetime import datetime, timedelta

from springboard.families.models import LoginFailure, normalize_email_address

WINDOW = timedelta(minutes=15)
PAIR_LIMIT = 10
IP_LIMIT = 50


def client_ip(request) -> str | None:
    """REMOTE_ADDR: behind a proxy, the proxy setup must put the client's address there; a
    client-sent X-Forwarded-For is never trusted (it would let anyone pick their IP)."""
    return request.META.get("REMOTE_ADDR") or None


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
