"""Housekeeping of the cart and waitlist. Tidying only: every read already ignores expired
holds and offers. What it adds is *sending*: a seat freed by an expired hold or a lapsed offer
is offered to the next family on the waitlist."""

from datetime import datetime

from springboard.booking import waitlist
from springboard.booking.locking import BookingBusy
from springboard.booking.models import WaitlistEntry, WaitlistStatus
from springboard.booking.services import sweep_expired_holds
from springboard.catalog.models import Course
from springboard.core.housekeeping import register


@register("booking.sweep_holds_and_offers")
def sweep_holds_and_offers(now: datetime) -> str:
    holds = sweep_expired_holds(now)
    lapsed = waitlist.lapse_offers(now)
    # Every course with someone waiting: seats may have freed by expiry (no event marks it).
    waiting_courses = WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING).values("course")
    offers = 0
    for course in Course.objects.filter(pk__in=waiting_courses).select_related(
        "organization__portal_settings", "location"
    ):
        try:
            offers += len(waitlist.offer_seats(course, now=now))
        except BookingBusy:
            continue  # busy right now; the next run offers it
    return (
        f"expired holds in {len(holds)} courses, lapsed offers in {len(lapsed)} courses, "
        f"sent {offers} offers"
    )
