"""The cart pages: who may add, what a crafted POST gets, the cart page and its queries."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from springboard.booking import services
from springboard.booking.locking import BookingBusy
from springboard.booking.models import CartItem, WaitlistEntry
from springboard.catalog.models import PartyAddOn
from tests import family_factories
from tests.booking.conftest import KID_BIRTH_DATE, NOW, make_family
from tests.catalog import factories as catalog

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_a_visitor_is_sent_to_log_in(client, org):
    response = client.get("/acme/cart/")
    assert response.status_code == 302
    assert response["Location"].startswith("/acme/login/?next=")


def test_an_unconfirmed_family_is_told_to_confirm_its_email(client, org):
    family, student = make_family(org, confirmed=False)
    client.force_login(family.guardians.get().user)
    course = catalog.course(org)
    response = client.post(
        "/acme/cart/add/class/", {"course": course.pk, "student": student.pk}, follow=True
    )
    assert "confirm your email" in _messages(response)
    assert not CartItem.objects.exists()


def test_adding_a_class_holds_it_and_the_toolbar_counts_it(logged_in, org, family):
    course = catalog.course(org, capacity=4)
    response = logged_in.post(
        "/acme/cart/add/class/", {"course": course.pk, "student": family[1].pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/acme/cart/"
    page = response.content.decode()
    assert course.name in page
    assert 'data-expires-at="' in page
    assert response.context["cart_count"] == 1
    detail = logged_in.get(f"/acme/booking/classes/{course.pk}/")
    assert "3 openings" in detail.content.decode()


def test_the_same_student_twice_is_a_message(logged_in, org, family):
    course = catalog.course(org)
    data = {"course": course.pk, "student": family[1].pk}
    logged_in.post("/acme/cart/add/class/", data)
    response = logged_in.post("/acme/cart/add/class/", data, follow=True)
    assert "already has" in _messages(response)
    assert CartItem.objects.count() == 1


@pytest.mark.parametrize("value", ["abc", "", "-1", "99999999", "1" * 40])
def test_bad_ids_are_404(logged_in, org, family, value):
    response = logged_in.post("/acme/cart/add/class/", {"course": value, "student": value})
    assert response.status_code == 404


def test_another_organizations_course_and_another_familys_student_are_404(
    logged_in, org, other_org, family
):
    mine = catalog.course(org)
    theirs = catalog.course(other_org)
    _, stranger = make_family(org, last_name="Other")
    post = logged_in.post
    assert (
        post("/acme/cart/add/class/", {"course": theirs.pk, "student": family[1].pk}).status_code
        == 404
    )
    assert (
        post("/acme/cart/add/class/", {"course": mine.pk, "student": stranger.pk}).status_code
        == 404
    )
    assert not CartItem.objects.exists()


def test_another_familys_cart_item_is_404(logged_in, org, family):
    course = catalog.course(org)
    other, stranger = make_family(org, last_name="Other")
    [item] = services.add_course(family=other, students=[stranger], course=course, now=NOW)
    response = logged_in.post("/acme/cart/remove/", {"item": item.pk})
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == "active"


def test_removing_an_item(logged_in, org, family):
    course = catalog.course(org)
    [item] = services.add_course(family=family[0], students=[family[1]], course=course, now=NOW)
    response = logged_in.post("/acme/cart/remove/", {"item": item.pk}, follow=True)
    assert "Removed" in _messages(response)
    assert response.context["cart_count"] == 0


def test_a_lock_timeout_is_a_409_never_a_500(logged_in, org, family, monkeypatch):
    def busy(**kwargs):
        raise BookingBusy()

    monkeypatch.setattr(services, "add_course", busy)
    course = catalog.course(org)
    response = logged_in.post(
        "/acme/cart/add/class/", {"course": course.pk, "student": family[1].pk}
    )
    assert response.status_code == 409
    assert "Many families are booking right now" in response.content.decode()


def test_camp_days_through_the_page(logged_in, org, family):
    camp = catalog.event(org, days=[date(2027, 3, 15), date(2027, 3, 16)])
    day = camp.days.first()
    page = logged_in.get(f"/acme/booking/events/{camp.pk}/").content.decode()
    assert f'value="{day.pk}"' in page
    response = logged_in.post(
        "/acme/cart/add/event/", {"event": camp.pk, "student": family[1].pk, "day": day.pk}
    )
    assert response.status_code == 302
    assert CartItem.objects.get().days.get().event_day == day
    other_camp = catalog.event(org, days=[date(2027, 3, 20)])
    response = logged_in.post(
        "/acme/cart/add/event/",
        {"event": camp.pk, "student": family[1].pk, "day": other_camp.days.get().pk},
    )
    assert response.status_code == 404


def _slot(org):
    package = catalog.party_package(org, max_guests=12, price_per_extra_guest=15)
    add_on = PartyAddOn.objects.create(package=package, name="Pizza", price=20)
    slot = catalog.party_slot(org, NOW + timedelta(days=3), packages=[package])
    return slot, package, add_on


def test_a_party_through_the_page(logged_in, org, family):
    slot, package, add_on = _slot(org)
    page = logged_in.get(f"/acme/booking/parties/slots/{slot.pk}/")
    assert "Add party to cart" in page.content.decode()
    response = logged_in.post(
        f"/acme/booking/parties/slots/{slot.pk}/",
        {
            "package": package.pk,
            "guest_count": "11",
            f"add_on_{add_on.pk}": "2",
            "honour_student": family[1].pk,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/acme/cart/"
    assert "$305.00" in response.content.decode()  # 250 + 1 extra guest × 15 + 2 × 20
    item = CartItem.objects.get()
    assert item.guest_count == 11 and item.guest_of_honour == family[1]


@pytest.mark.parametrize("guests", ["0", "-1", "13", "999999", "abc", ""])
def test_bad_guest_counts_are_a_message(logged_in, org, family, guests):
    slot, package, _ = _slot(org)
    response = logged_in.post(
        f"/acme/booking/parties/slots/{slot.pk}/",
        {"package": package.pk, "guest_count": guests, "honour_name": "Sam"},
        follow=True,
    )
    assert response.status_code == 200
    assert "guests" in _messages(response)
    assert not CartItem.objects.exists()


@pytest.mark.parametrize("quantity", ["-1", "51", "9999999", "x"])
def test_bad_add_on_quantities_are_a_message(logged_in, org, family, quantity):
    slot, package, add_on = _slot(org)
    response = logged_in.post(
        f"/acme/booking/parties/slots/{slot.pk}/",
        {
            "package": package.pk,
            "guest_count": "5",
            "honour_name": "Sam",
            f"add_on_{add_on.pk}": quantity,
        },
        follow=True,
    )
    assert "Quantities" in _messages(response)
    assert not CartItem.objects.exists()


def test_another_packages_add_on_is_404(logged_in, org, family):
    slot, package, _ = _slot(org)
    stranger = PartyAddOn.objects.create(package=catalog.party_package(org), name="Cake", price=5)
    response = logged_in.post(
        f"/acme/booking/parties/slots/{slot.pk}/",
        {
            "package": package.pk,
            "guest_count": "5",
            "honour_name": "Sam",
            f"add_on_{stranger.pk}": "1",
        },
    )
    assert response.status_code == 404


def test_the_cart_page_runs_the_same_queries_for_1_and_20_items(logged_in, org, family):
    def fill(count):
        for _ in range(count):
            course = catalog.course(org)
            services.add_course(family=family[0], students=[family[1]], course=course, now=NOW)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert logged_in.get("/acme/cart/").status_code == 200
        return len(context.captured_queries)

    camp = catalog.event(org, days=[date(2027, 3, 15)])
    services.add_event(
        family=family[0], student=family[1], event=camp, days=camp.days.all(), now=NOW
    )
    slot, package, add_on = _slot(org)
    services.add_party(
        family=family[0],
        choice=services.PartyChoice(slot, package, 5, {add_on: 1}, honour_name="Sam"),
        now=NOW,
    )
    fill(1)
    logged_in.get("/acme/cart/")
    few = queries()
    fill(19)
    assert queries() == few


def test_joining_and_leaving_a_waitlist(logged_in, org, family):
    course = catalog.course(org, capacity=0)
    response = logged_in.get(f"/acme/booking/classes/{course.pk}/")
    assert "Join waitlist" in response.content.decode()
    response = logged_in.post(
        "/acme/waitlist/join/", {"course": course.pk, "student": family[1].pk}, follow=True
    )
    assert "on the waitlist" in _messages(response)
    assert "number 1 in line" in response.content.decode()
    entry = WaitlistEntry.objects.get()
    response = logged_in.post("/acme/waitlist/leave/", {"entry": entry.pk}, follow=True)
    assert "Not on any waitlist" in response.content.decode()


def test_another_familys_waitlist_entry_and_offer_are_404(logged_in, org, family):
    course = catalog.course(org, capacity=0)
    other, stranger = make_family(org, last_name="Other")
    entry = WaitlistEntry.objects.create(
        organization=org, family=other, student=stranger, course=course, joined_at=NOW
    )
    assert logged_in.post("/acme/waitlist/leave/", {"entry": entry.pk}).status_code == 404
    assert logged_in.get(f"/acme/waitlist/offers/{entry.token}/").status_code == 404
    assert logged_in.post(f"/acme/waitlist/offers/{entry.token}/").status_code == 404
    assert logged_in.get("/acme/waitlist/offers/nonsense/").status_code == 404


def test_another_organizations_offer_is_404(client, org, other_org):
    course = catalog.course(other_org, capacity=0)
    other, stranger = make_family(other_org, last_name="Other")
    entry = WaitlistEntry.objects.create(
        organization=other_org, family=other, student=stranger, course=course, joined_at=NOW
    )
    client.force_login(other.guardians.get().user)
    assert client.get(f"/acme/waitlist/offers/{entry.token}/").status_code in (302, 404)
    assert client.get(f"/rival/waitlist/offers/{entry.token}/").status_code == 200


def test_an_ineligible_student_is_shown_why_and_a_crafted_post_is_refused_alike(
    logged_in, org, family
):
    course = catalog.course(org)
    toddler = family_factories.student(family[0], first_name="Tot", birth_date=date(2024, 1, 1))
    page = logged_in.get(f"/acme/booking/classes/{course.pk}/").content.decode()
    assert f'id="enroll-student-{toddler.pk}" disabled' in page
    assert "Ages 5-7; Tot will be" in page
    response = logged_in.post(
        "/acme/cart/add/class/", {"course": course.pk, "student": toddler.pk}, follow=True
    )
    assert "Ages 5-7; Tot will be" in _messages(response)
    assert not CartItem.objects.exists()


def test_find_the_right_class_offers_the_familys_students(logged_in, org, family):
    catalog.course(org)
    page = logged_in.get("/acme/booking/find-the-right-class/").content.decode()
    assert 'data-testid="student-picker"' in page
    assert f"first_name={family[1].first_name}" in page


def test_housekeeping_lists_the_booking_sweep():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("housekeeping", "--list", stdout=out)
    assert "booking.sweep_holds_and_offers" in out.getvalue()


def test_a_party_for_a_slot_already_held_is_a_message(logged_in, org, family):
    slot, package, _ = _slot(org)
    other, _ = make_family(org, last_name="Other")
    services.add_party(
        family=other,
        choice=services.PartyChoice(slot, package, 5, {}, honour_name="Sam"),
        now=NOW,
    )
    page = logged_in.get(f"/acme/booking/parties/slots/{slot.pk}/").content.decode()
    assert "this time slot is taken" in page
    response = logged_in.post(
        f"/acme/booking/parties/slots/{slot.pk}/",
        {"package": package.pk, "guest_count": "5", "honour_name": "Kim"},
        follow=True,
    )
    assert "just been taken" in _messages(response)


def test_an_expired_item_leaves_the_cart_and_is_offered_again(logged_in, org, family, clock):
    course = catalog.course(org, name="Tumbling Fun")
    services.add_course(family=family[0], students=[family[1]], course=course, now=NOW)
    clock.move_to(NOW + timedelta(minutes=15))
    response = logged_in.get("/acme/cart/")
    assert response.context["items"] == []
    assert response.context["cart_count"] == 0
    expired = response.content.decode().split('data-testid="expired-items"')[1]
    assert f"/acme/booking/classes/{course.pk}/" in expired
    # Adding it again is a new hold, checked like any other.
    logged_in.post("/acme/cart/add/class/", {"course": course.pk, "student": family[1].pk})
    assert logged_in.get("/acme/cart/").context["cart_count"] == 1


def test_several_students_at_once_through_the_page(logged_in, org, family):
    sister = family_factories.student(family[0], first_name="Sis", birth_date=KID_BIRTH_DATE)
    course = catalog.course(org, capacity=5)
    logged_in.post(
        "/acme/cart/add/class/", {"course": course.pk, "student": [family[1].pk, sister.pk]}
    )
    assert set(CartItem.objects.values_list("student", flat=True)) == {family[1].pk, sister.pk}


def test_a_family_with_policies_to_agree_holds_nothing(logged_in, org, family):
    family_factories.policy(org)
    course = catalog.course(org)
    response = logged_in.post(
        "/acme/cart/add/class/", {"course": course.pk, "student": family[1].pk}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/acme/policies/")
    assert not CartItem.objects.exists()


def test_the_cart_pages_toolbar_counts_its_holds_as_every_page_does(logged_in, org, family, clock):
    first, second = catalog.course(org), catalog.course(org, name="Tumbling")
    services.add_course(family=family[0], students=[family[1]], course=first, now=NOW)
    later = NOW + timedelta(minutes=5)
    clock.move_to(later)
    services.add_course(family=family[0], students=[family[1]], course=second, now=later)
    cart, dashboard = logged_in.get("/acme/cart/"), logged_in.get("/acme/dashboard/")
    summary = services.cart_summary(family[0], later)
    assert summary["count"] == 2
    for page in (cart, dashboard):
        assert (page.context["cart_count"], page.context["cart_first_expiry"]) == (
            summary["count"],
            summary["first_expiry"],
        )
    # The first hold ran out: the cart's toolbar counts one, with the second's end.
    clock.move_to(summary["first_expiry"] + timedelta(seconds=1))
    cart = logged_in.get("/acme/cart/")
    assert cart.context["cart_count"] == 1
    assert cart.context["cart_first_expiry"] == CartItem.objects.get(course=second).expires_at
