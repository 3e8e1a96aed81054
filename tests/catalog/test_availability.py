"""Openings are capacity minus places taken, computed from registered sources."""

from datetime import timedelta

import pytest
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.utils import timezone

from springboard.catalog import availability
from springboard.catalog.availability import Openings
from springboard.catalog.models import Course, PartySlot
from tests.catalog import factories as catalog


@pytest.mark.parametrize(
    ("capacity", "taken", "waitlist", "display", "label"),
    [
        (8, 0, True, "number", "8 openings"),
        (8, 7, True, "number", "1 opening"),
        (8, 8, True, "number", "FULL — waitlist"),
        (8, 9, False, "number", "FULL"),
        (8, 3, False, "open_full", "OPEN"),
        (0, 0, True, "open_full", "FULL — waitlist"),
    ],
)
def test_openings_labels(capacity, taken, waitlist, display, label):
    assert Openings(capacity, taken, waitlist).label(display) == label


@pytest.mark.django_db
def test_a_registered_source_is_counted_per_course_in_the_listing_query(org, monkeypatch):
    """What the cart issue will do: count its rows per course with a subquery."""
    busy = catalog.course(org, name="Busy", capacity=3)
    quiet = catalog.course(org, name="Quiet", capacity=3)
    # Stand-in for enrollments: a subquery saying three places of Busy are taken.
    monkeypatch.setitem(
        availability.COURSE_PLACES_TAKEN,
        "stand-in",
        lambda now: Subquery(
            Course.objects.filter(pk=OuterRef("pk"), name="Busy")
            .values("pk")
            .annotate(n=Count("pk") * 3)
            .values("n"),
            output_field=IntegerField(),
        ),
    )
    rows = availability.with_course_places_taken(
        Course.objects.order_by("name"), now=timezone.now()
    )
    assert [(c.name, c.places_taken, c.places_left) for c in rows] == [
        ("Busy", 3, 0),
        ("Quiet", 0, 3),
    ]
    assert list(availability.only_with_openings(Course.objects.all(), now=timezone.now())) == [
        quiet
    ]
    assert availability.course_openings(Course.objects.get(pk=busy.pk), now=timezone.now()).full


@pytest.mark.django_db
def test_a_booked_party_slot_is_no_longer_open(org, monkeypatch, client):
    starts = (timezone.now() + timedelta(days=10)).replace(hour=18, minute=0)  # noon, Chicago
    catalog.party_slot(org, starts)
    url = f"/acme/booking/parties/?date={starts.date().isoformat()}"
    assert len(client.get(url).context["slots"]) == 1
    monkeypatch.setitem(
        availability.PARTY_SLOT_BOOKED,
        "stand-in",
        lambda now: Value(1, output_field=IntegerField()),
    )
    assert (
        availability.with_party_slot_bookings(PartySlot.objects.all(), now=timezone.now())
        .get()
        .bookings
        == 1
    )
    assert client.get(url).context["slots"] == []
