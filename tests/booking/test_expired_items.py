"""Items whose hold ran out are never dropped silently: checkout names them, and the cart
offers to add each one that is still open again, through the normal booking services."""

from datetime import timedelta

import pytest

from springboard.booking import services
from springboard.booking.models import CartItem, HoldStatus
from springboard.catalog.models import EventDay, PartyAddOn
from tests.booking.conftest import NOW, make_family
from tests.catalog import factories as catalog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def _shown(client) -> list[int]:
    return [item.pk for item in client.get("/acme/cart/").context["items"]]


def test_checkout_names_the_items_whose_time_ran_out_and_keeps_the_rest(
    logged_in, org, family, clock
):
    kid = family[1]
    early = catalog.course(org, name="Tumbling Fun")
    late = catalog.course(org, name="Ninja Zone")
    services.add_course(family=family[0], students=[kid], course=early, now=NOW)
    clock.move_to(NOW + timedelta(minutes=10))
    services.add_course(
        family=family[0], students=[kid], course=late, now=NOW + timedelta(minutes=10)
    )
    shown = _shown(logged_in)
    assert len(shown) == 2
    clock.move_to(NOW + timedelta(minutes=16))
    response = logged_in.post("/acme/cart/checkout/start/", {"shown": shown}, follow=True)
    assert response.redirect_chain[-1][0] == "/acme/cart/checkout/"
    order = response.context["order"]
    assert [item.cart_item.course for item in order.items.all()] == [late]
    said = _messages(response)
    assert f"Time ran out for Tumbling Fun ({kid.first_name})" in said
    assert "Add it again from your cart" in said
    # Which ran out is read through a prepared query (every checkout from the cart asks).
    from springboard.core.prepared import compiled
    from springboard.portal.views import checkout as checkout_views

    kept = compiled(checkout_views.RUN_OUT)
    assert kept and all(kept)


def test_checkout_with_every_item_run_out_says_which_and_back_in_the_cart_offers_them(
    logged_in, org, family, clock
):
    kid = family[1]
    course = catalog.course(org, name="Tumbling Fun")
    services.add_course(family=family[0], students=[kid], course=course, now=NOW)
    shown = _shown(logged_in)
    clock.move_to(NOW + timedelta(minutes=16))
    response = logged_in.post("/acme/cart/checkout/start/", {"shown": shown}, follow=True)
    assert response.redirect_chain[-1][0] == "/acme/cart/"
    assert f"Time ran out for Tumbling Fun ({kid.first_name})" in _messages(response)
    assert 'data-testid="add-again"' in response.content.decode()


def test_an_expired_class_still_open_is_added_again_with_one_button(logged_in, org, family, clock):
    course = catalog.course(org, name="Tumbling Fun", capacity=3)
    services.add_course(family=family[0], students=[family[1]], course=course, now=NOW)
    clock.move_to(NOW + timedelta(minutes=16))
    page = logged_in.get("/acme/cart/")
    assert 'data-testid="add-again"' in page.content.decode()
    expired = CartItem.objects.get()
    response = logged_in.post("/acme/cart/add/again/", {"item": expired.pk}, follow=True)
    assert response.redirect_chain[-1][0] == "/acme/cart/"
    assert response.context["cart_count"] == 1
    held = CartItem.objects.exclude(pk=expired.pk).get()
    assert (held.course, held.student) == (course, family[1])
    assert "add-again" not in response.content.decode()  # back in the cart: not offered twice


def test_an_expired_class_that_filled_up_is_not_offered_and_a_crafted_re_add_is_refused(
    logged_in, org, family, clock
):
    course = catalog.course(org, name="Tumbling Fun", capacity=1)
    services.add_course(family=family[0], students=[family[1]], course=course, now=NOW)
    clock.move_to(NOW + timedelta(minutes=16))
    other, other_kid = make_family(org, last_name="Other")
    services.add_course(
        family=other, students=[other_kid], course=course, now=NOW + timedelta(minutes=16)
    )
    page = logged_in.get("/acme/cart/").content.decode()
    assert "No longer open" in page
    assert 'data-testid="add-again"' not in page
    mine = CartItem.objects.get(family=family[0])
    response = logged_in.post("/acme/cart/add/again/", {"item": mine.pk}, follow=True)
    assert "full" in _messages(response).lower()
    assert CartItem.objects.filter(family=family[0]).count() == 1


def test_another_familys_or_a_held_item_cannot_be_added_again(logged_in, org, family):
    course = catalog.course(org)
    other, other_kid = make_family(org, last_name="Other")
    [theirs] = services.add_course(family=other, students=[other_kid], course=course, now=NOW)
    assert logged_in.post("/acme/cart/add/again/", {"item": theirs.pk}).status_code == 404
    [mine] = services.add_course(family=family[0], students=[family[1]], course=course, now=NOW)
    response = logged_in.post("/acme/cart/add/again/", {"item": mine.pk}, follow=True)
    assert "not one whose time ran out" in _messages(response)
    assert CartItem.objects.filter(family=family[0]).count() == 1


def test_expired_camp_days_and_a_party_are_added_again_with_their_own_choices(
    logged_in, org, family, clock
):
    event = catalog.event(org, name="Winter camp")
    day = EventDay.objects.filter(event=event).first()
    services.add_event(family=family[0], student=family[1], event=event, days=[day], now=NOW)
    package = catalog.party_package(org, max_guests=12)
    add_on = PartyAddOn.objects.create(package=package, name="Pizza", price=20)
    slot = catalog.party_slot(org, NOW + timedelta(days=3), packages=[package])
    choice = services.PartyChoice(slot, package, 7, {add_on: 2}, honour_name="Sam")
    services.add_party(family=family[0], choice=choice, now=NOW)
    clock.move_to(NOW + timedelta(minutes=16))
    for expired in list(CartItem.objects.filter(family=family[0])):
        logged_in.post("/acme/cart/add/again/", {"item": expired.pk})
    held = CartItem.objects.filter(family=family[0], status=HoldStatus.ACTIVE).exclude(
        expires_at__lte=NOW + timedelta(minutes=16)
    )
    camp = held.get(event=event)
    assert [d.event_day_id for d in camp.days.all()] == [day.pk]
    party = held.get(party_slot=slot)
    assert (party.guest_count, party.guest_of_honour_name) == (7, "Sam")
    assert [(a.add_on, a.quantity) for a in party.add_ons.all()] == [(add_on, 2)]


def test_the_cart_offers_the_ten_latest_expired_items_of_this_family_only(
    logged_in, org, family, clock
):
    from springboard.core.prepared import compiled

    kid = family[1]
    courses = [catalog.course(org, name=f"Class {number:02}") for number in range(12)]
    for number, course in enumerate(courses):
        services.add_course(
            family=family[0], students=[kid], course=course, now=NOW + timedelta(seconds=number)
        )
    other, other_kid = make_family(org, last_name="Other")
    services.add_course(family=other, students=[other_kid], course=courses[0], now=NOW)
    clock.move_to(NOW + timedelta(minutes=30))
    expired = logged_in.get("/acme/cart/").context["expired"]
    # The latest to run out first; the two oldest are not listed; nothing of the other family.
    assert [item.course for item, _open in expired] == courses[:1:-1]
    assert {item.family for item, _open in expired} == {family[0]}
    assert all(still_open for _item, still_open in expired)
    # Two hours after they were added they are no longer offered.
    clock.move_to(NOW + timedelta(hours=2, minutes=1))
    assert logged_in.get("/acme/cart/").context["expired"] == []
    # Read through a prepared query, not built by the ORM on every cart page.
    kept = compiled(services._RECENTLY_EXPIRED)
    assert kept and all(kept)
