"""The other ways to a seat of a term in its opening go through the same gate as adding a
class (docs/booking.md, "Waiting room"): adding an expired hold again, joining a waitlist and
transferring into a class of that term need a pass; a waitlist offer does not."""

from datetime import timedelta

import pytest
import time_machine

from springboard.booking import services, waitlist
from springboard.booking.housekeeping import sweep_holds_and_offers
from springboard.booking.models import CartItem, ChangeRequest, HoldStatus, WaitlistEntry
from springboard.waitingroom import passes
from tests.catalog import factories as catalog
from tests.tuition.helpers import enroll_through_checkout
from tests.waitingroom.conftest import OPENS, hand_pass, make_family

pytestmark = pytest.mark.django_db

IN_THE_OPENING = OPENS + timedelta(minutes=16)  # a 15-minute hold taken at the opening ran out
AFTER_THE_RUSH = OPENS + timedelta(minutes=61)  # the room's rush is 60 minutes


def admitted(client, course):
    """The only family in line: admitted in the first batch, the waiting page gives the pass."""
    client.get(f"/acme/waiting-room/?term={course.term_id}&course={course.pk}")
    assert passes.PASS_COOKIE in client.cookies


def other_organizations_pass(client, other_org):
    hand_pass(client, other_org.pk, minutes=120)


def held(family):
    """Seats the family holds now (an expired hold is read as expired, not swept)."""
    from django.utils import timezone

    return CartItem.objects.filter(
        family=family, status=HoldStatus.ACTIVE, expires_at__gt=timezone.now()
    ).count()


# -- Adding an expired hold again -----------------------------------------------------------


@pytest.fixture
def expired_hold(clock, room, course, family):
    """A seat held at the opening (by a pass long gone) whose 15 minutes ran out."""
    item = services.add_course(family=family[0], students=[family[1]], course=course, now=OPENS)
    [item] = item
    clock.move_to(IN_THE_OPENING)
    return item


def again(client, item):
    return client.post("/acme/cart/add/again/", {"item": item.pk})


def test_adding_an_expired_hold_again_without_a_pass_leads_to_the_waiting_room(
    expired_hold, family, logged_in
):
    response = again(logged_in, expired_hold)
    assert response["Location"].startswith("/acme/waiting-room/?term=")
    assert "next=%2Facme%2Fcart%2F" in response["Location"]
    assert held(family[0]) == 0


def test_with_a_pass_or_after_the_rush_the_expired_hold_is_held_again(
    clock, expired_hold, course, family, logged_in
):
    admitted(logged_in, course)
    assert again(logged_in, expired_hold)["Location"] == "/acme/cart/"
    assert held(family[0]) == 1

    CartItem.objects.all().delete()
    item = services.add_course(
        family=family[0], students=[family[1]], course=course, now=AFTER_THE_RUSH
    )[0]
    clock.move_to(AFTER_THE_RUSH + timedelta(minutes=16))
    logged_in.cookies.pop(passes.PASS_COOKIE)
    assert again(logged_in, item)["Location"] == "/acme/cart/"
    assert held(family[0]) == 1


def test_adding_again_with_another_organizations_pass_is_a_404(
    expired_hold, family, logged_in, other_org
):
    other_organizations_pass(logged_in, other_org)
    assert again(logged_in, expired_hold).status_code == 404
    assert held(family[0]) == 0


# -- Joining a waitlist; its offers ---------------------------------------------------------


@pytest.fixture
def full(clock, org, room, course):
    """The opening's class, its one seat held by another family at the opening."""
    course.capacity = 1
    course.waitlist_allowed = True
    course.save()
    holder, kid = make_family(org, last_name="Holder")
    services.add_course(family=holder, students=[kid], course=course, now=OPENS)
    clock.move_to(OPENS + timedelta(minutes=1))
    return course


def join(client, course, student):
    return client.post("/acme/waitlist/join/", {"course": course.pk, "student": student.pk})


def test_joining_the_waitlist_in_the_opening_needs_a_pass(full, family, logged_in):
    response = join(logged_in, full, family[1])
    assert response["Location"].startswith("/acme/waiting-room/?term=")
    assert not WaitlistEntry.objects.exists()

    admitted(logged_in, full)
    assert join(logged_in, full, family[1])["Location"] == "/acme/account/#waitlist-title"
    assert WaitlistEntry.objects.filter(family=family[0]).count() == 1


def test_joining_the_waitlist_after_the_rush_needs_no_pass(clock, full, family, logged_in):
    clock.move_to(AFTER_THE_RUSH)
    late, kid = make_family(full.organization, last_name="Late")  # the freed seat, held again
    services.add_course(family=late, students=[kid], course=full, now=AFTER_THE_RUSH)
    assert join(logged_in, full, family[1])["Location"] == "/acme/account/#waitlist-title"


def test_joining_with_another_organizations_pass_is_a_404(full, family, logged_in, other_org):
    other_organizations_pass(logged_in, other_org)
    assert join(logged_in, full, family[1]).status_code == 404
    assert not WaitlistEntry.objects.exists()


def test_an_offer_is_taken_without_a_pass(
    clock, full, family, logged_in, django_capture_on_commit_callbacks
):
    """An offer is the waitlist's own turn for one family (one that joined with a pass or
    before the room opened): claiming it is not a way around the line."""
    waitlist.join(family=family[0], student=family[1], course=full, now=OPENS)
    clock.move_to(IN_THE_OPENING)  # the holder's 15 minutes ran out: the seat is offered
    with django_capture_on_commit_callbacks(execute=True):
        sweep_holds_and_offers(IN_THE_OPENING)
    entry = WaitlistEntry.objects.get(family=family[0])
    assert entry.status == "offered"
    response = logged_in.post(f"/acme/waitlist/offers/{entry.token}/")
    assert response["Location"] == "/acme/cart/"
    assert held(family[0]) == 1


# -- Transferring into a class of the opening term ------------------------------------------


@pytest.fixture
def enrolled(org, family):
    """Maya in a class of a term that opened long ago (enrolled through checkout)."""
    autumn = catalog.term(org, name="Autumn")
    current = catalog.course(org, term=autumn, name="Guppies", capacity=5)
    with time_machine.travel(OPENS - timedelta(days=7), tick=False):
        enroll_through_checkout(family[0], [family[1]], current)
    return family[1].enrollments.get()


def transfer(client, enrollment, course):
    return client.post(
        f"/acme/account/enrollments/{enrollment.pk}/transfer/", {"course": course.pk}
    )


def test_transferring_into_the_opening_term_needs_a_pass(clock, room, course, enrolled, logged_in):
    clock.move_to(OPENS + timedelta(seconds=1))
    response = transfer(logged_in, enrolled, course)
    assert response["Location"].startswith("/acme/waiting-room/?term=")
    assert f"enrollments%2F{enrolled.pk}%2Ftransfer" in response["Location"]
    assert not ChangeRequest.objects.exists()

    admitted(logged_in, course)
    response = transfer(logged_in, enrolled, course)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].startswith("/acme/account/transfers/")
    assert ChangeRequest.objects.filter(to_course=course).count() == 1


def test_transferring_after_the_rush_needs_no_pass(clock, room, course, enrolled, logged_in):
    clock.move_to(AFTER_THE_RUSH)
    assert transfer(logged_in, enrolled, course)["Location"].startswith("/acme/account/transfers/")


def test_transferring_with_another_organizations_pass_is_a_404(
    clock, room, course, enrolled, logged_in, other_org
):
    clock.move_to(OPENS + timedelta(seconds=1))
    other_organizations_pass(logged_in, other_org)
    assert transfer(logged_in, enrolled, course).status_code == 404
    assert not ChangeRequest.objects.exists()
