"""The JSON API: tenancy, tokens, sessions, throttles, the same openings and lock as the
pages, and bad input answered 4xx in JSON (docs/api.md)."""

import json

import pytest
from django.core.exceptions import ValidationError

from springboard.api.models import ApiToken
from springboard.booking import services
from springboard.booking.models import CartItem
from springboard.tenancy.models import validate_not_reserved
from tests import family_factories
from tests.api.conftest import KID_BIRTH_DATE, NOW
from tests.catalog import factories as catalog

API = "/api/v1/acme"


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


# --- tenancy ---------------------------------------------------------------------------------


def test_another_organizations_ids_are_404_in_json(client, org, other_org, family, bearer, clock):
    theirs = catalog.course(other_org, name="Rival Lap Swim")
    their_family = family_factories.family(other_org, last_name="Other")
    their_student = family_factories.student(their_family, birth_date=KID_BIRTH_DATE)
    mine = catalog.course(org)

    detail = client.get(f"{API}/classes/{theirs.pk}")
    assert detail.status_code == 404
    assert detail.json() == {"detail": "Not found."}
    assert client.get(f"{API}/classes?term={theirs.term_id}").status_code == 404
    assert client.get(f"{API}/camps?location={theirs.location_id}").status_code == 404
    added = post(client, f"{API}/cart/classes", {"course": theirs.pk, "students": []}, **bearer)
    assert added.status_code == 422  # no student: refused before anything is read
    added = post(
        client,
        f"{API}/cart/classes",
        {"course": theirs.pk, "students": [their_student.pk]},
        **bearer,
    )
    assert added.status_code == 404
    added = post(
        client, f"{API}/cart/classes", {"course": mine.pk, "students": [their_student.pk]}, **bearer
    )
    assert added.status_code == 404
    assert not CartItem.objects.exists()


def test_another_familys_cart_item_is_404(client, org, family, bearer, clock):
    course = catalog.course(org)
    other = family_factories.family(org, last_name="Other")
    kid = family_factories.student(other, birth_date=KID_BIRTH_DATE)
    [item] = services.add_course(family=other, students=[kid], course=course, now=NOW)
    assert client.delete(f"{API}/cart/{item.pk}", **bearer).status_code == 404
    assert CartItem.objects.get(pk=item.pk).status == "active"


def test_a_token_of_another_organization_is_refused(client, org, other_org, family, bearer):
    assert client.get(f"{API}/students", **bearer).status_code == 200
    response = client.get("/api/v1/rival/students", **bearer)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_an_unknown_account_is_a_json_404(client, db):
    response = client.get("/api/v1/nobody-here/classes")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_api_cannot_be_an_account_name():
    with pytest.raises(ValidationError):
        validate_not_reserved("api")


# --- tokens and sessions ---------------------------------------------------------------------


def test_a_token_round_trip(client, org, family):
    email = family.guardians.get().user.email
    made = post(
        client,
        f"{API}/auth/token",
        {"email": email, "password": family_factories.PASSWORD, "name": "Ana's phone"},
    )
    assert made.status_code == 201, made.content
    raw = made.json()["token"]
    stored = ApiToken.objects.get()
    assert stored.name == "Ana's phone" and raw not in stored.key_hash  # only its hash is kept
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}

    students = client.get(f"{API}/students", **bearer)
    assert [s["first_name"] for s in students.json()] == ["Mia"]

    assert client.delete(f"{API}/auth/token", **bearer).status_code == 204
    assert client.get(f"{API}/students", **bearer).status_code == 401
    assert not ApiToken.objects.exists()


def test_a_wrong_password_gets_no_token_and_a_login_without_a_family_here_neither(
    client, org, other_org, family
):
    email = family.guardians.get().user.email
    wrong = post(client, f"{API}/auth/token", {"email": email, "password": "nope"})
    assert wrong.status_code == 401
    elsewhere = post(
        client,
        "/api/v1/rival/auth/token",
        {"email": email, "password": family_factories.PASSWORD},
    )
    assert elsewhere.status_code == 403
    assert not ApiToken.objects.exists()


def test_a_session_needs_the_csrf_token_for_changes(org, family, clock):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(family.guardians.get().user)
    course = catalog.course(org)
    student = family.students.get()
    assert client.get(f"{API}/cart").status_code == 200
    body = {"course": course.pk, "students": [student.pk]}
    assert post(client, f"{API}/cart/classes", body).status_code == 403
    client.get("/acme/cart/")  # a portal page with a form sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    added = post(client, f"{API}/cart/classes", body, HTTP_X_CSRFTOKEN=token)
    assert added.status_code == 201


def test_nobody_logged_in_gets_401(client, org):
    response = client.get(f"{API}/cart")
    assert response.status_code == 401
    assert "detail" in response.json()


# --- throttles -------------------------------------------------------------------------------


def test_wrong_passwords_lock_token_requests_like_the_login(client, org, family):
    email = family.guardians.get().user.email
    for _ in range(10):
        assert (
            post(client, f"{API}/auth/token", {"email": email, "password": "x"}).status_code == 401
        )
    locked = post(
        client, f"{API}/auth/token", {"email": email, "password": family_factories.PASSWORD}
    )
    assert locked.status_code == 429
    assert int(locked["Retry-After"]) > 0
    assert not ApiToken.objects.exists()
    # The portal's login is locked for the same pair too: one throttle.
    page = client.post("/acme/login/", {"email": email, "password": family_factories.PASSWORD})
    assert page.status_code == 429


def test_too_many_requests_from_an_address_get_429_with_retry_after(client, org, settings):
    settings.API_RATE_LIMITS = {"address": "3/m"}
    for _ in range(3):
        assert client.get(f"{API}/locations").status_code == 200
    limited = client.get(f"{API}/locations")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert "detail" in limited.json()


# --- the same openings, the same lock --------------------------------------------------------


def _openings(client, course):
    return client.get(f"{API}/classes/{course.pk}").json()["openings"]


def test_an_api_hold_takes_a_seat_the_page_and_the_api_both_show(
    client, org, family, bearer, clock, monkeypatch
):
    course = catalog.course(org, capacity=2)
    student = family.students.get()
    assert _openings(client, course)["left"] == 2
    assert "2 openings" in client.get(f"/acme/booking/classes/{course.pk}/").content.decode()

    locks = []
    real_locked_reading = services.locked_reading

    def recording_locked_reading(read, **kwargs):
        def reading(lock):  # the course read that takes its row lock (locking.locked_reading)
            found = read(lock)
            locks.append((type(found).__name__, [found.pk], lock))
            return found

        return real_locked_reading(reading, **kwargs)

    monkeypatch.setattr(services, "locked_reading", recording_locked_reading)
    added = post(
        client, f"{API}/cart/classes", {"course": course.pk, "students": [student.pk]}, **bearer
    )
    assert added.status_code == 201
    # The course's row lock, as the page's add takes it.
    assert locks == [("Course", [course.pk], True)]

    assert _openings(client, course)["left"] == 1
    assert "1 opening" in client.get(f"/acme/booking/classes/{course.pk}/").content.decode()
    listed = client.get(f"{API}/classes").json()["results"]
    assert [c["openings"]["left"] for c in listed if c["id"] == course.pk] == [1]

    # Another family takes the last seat on the page; the API then refuses a hold.
    other = family_factories.family(org, last_name="Other")
    kid = family_factories.student(other, birth_date=KID_BIRTH_DATE)
    services.add_course(family=other, students=[kid], course=course, now=NOW)
    openings = _openings(client, course)
    assert (openings["left"], openings["full"]) == (0, True)
    second = family_factories.student(family, first_name="Leo", birth_date=KID_BIRTH_DATE)
    refused = post(
        client, f"{API}/cart/classes", {"course": course.pk, "students": [second.pk]}, **bearer
    )
    assert refused.status_code == 409
    assert "full" in refused.json()["detail"]


def test_cart_remove_and_checkout_through_the_api(client, org, family, bearer, clock):
    course = catalog.course(org, capacity=2)
    student = family.students.get()
    [item] = post(
        client, f"{API}/cart/classes", {"course": course.pk, "students": [student.pk]}, **bearer
    ).json()
    assert [i["id"] for i in client.get(f"{API}/cart", **bearer).json()] == [item["id"]]
    assert client.delete(f"{API}/cart/{item['id']}", **bearer).status_code == 204
    assert client.get(f"{API}/cart", **bearer).json() == []
    assert client.post(f"{API}/checkout", **bearer).status_code == 409  # nothing to pay for

    post(client, f"{API}/cart/classes", {"course": course.pk, "students": [student.pk]}, **bearer)
    order = client.post(f"{API}/checkout", **bearer)
    assert order.status_code == 201
    assert order.json()["total"] == "80.00"
    assert order.json()["pay_url"].endswith("/acme/cart/checkout/")


def test_a_family_with_policies_to_agree_to_cannot_book_through_the_api(
    client, org, family, bearer, clock
):
    family_factories.policy(org)
    course = catalog.course(org)
    body = {"course": course.pk, "students": [family.students.get().pk]}
    refused = post(client, f"{API}/cart/classes", body, **bearer)
    assert refused.status_code == 403
    assert "policies" in refused.json()["detail"]
    family_factories.agree_to_everything(family)
    assert post(client, f"{API}/cart/classes", body, **bearer).status_code == 201


# --- bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, status",
    [
        ("{not json", 400),
        ("[1, 2]", 422),
        ('{"course": "5", "students": [1]}', 422),  # a string is not an id
        ('{"course": 5.0, "students": [1]}', 422),
        ('{"course": 99999999999999999999999, "students": [1]}', 422),
        ('{"course": -1, "students": [1]}', 422),
        ('{"course": 1, "students": "1"}', 422),
        ('{"course": 1, "students": [' + ",".join(["1"] * 21) + "]}", 422),
        ('{"course": 1, "students": [1], "x": "' + "9" * 70_000 + '"}', 400),  # too big
    ],
)
def test_bad_bodies_get_4xx_json(client, org, family, bearer, body, status):
    response = client.post(f"{API}/cart/classes", body, content_type="application/json", **bearer)
    assert response.status_code == status, response.content[:300]
    assert "detail" in response.json()


@pytest.mark.parametrize("field", ["email", "password", "name"])
def test_a_nul_character_in_a_text_is_a_400_not_a_database_error(client, org, field):
    # PostgreSQL refuses NUL in text: the login lookup raised a DataError (a 500) before.
    body = {"email": "ana@example.com", "password": "secret", "name": "phone"}
    body[field] = "a\x00b"
    response = client.post(f"{API}/auth/token", json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert "detail" in response.json()


@pytest.mark.parametrize("account", ["a%00b", "ACME", "acme%20", "x" * 300, "%C3%A1"])
def test_an_account_name_no_organization_can_have_is_a_404(client, org, account):
    response = client.get(f"/api/v1/{account}/classes")
    assert response.status_code == 404, response.content[:300]
    assert "detail" in response.json()


@pytest.mark.parametrize("value", ["²", "①", "٣", "9" * 40, "-1", "", "x" * 5000, "0"])
def test_bad_ids_in_paths_and_queries_get_4xx_json(client, org, family, bearer, value):
    for url in (
        f"{API}/classes/{value}",
        f"{API}/classes?term={value}",
        f"{API}/classes?location={value}&limit={value}",
        f"{API}/parties?date={value}",
    ):
        response = client.get(url)
        assert 400 <= response.status_code < 500, (url, response.status_code)
        assert "detail" in response.json()
    response = client.delete(f"{API}/cart/{value}", **bearer)
    assert 400 <= response.status_code < 500
    assert "detail" in response.json()


def test_a_method_a_path_does_not_have_is_a_json_405(client, org):
    response = client.put(f"{API}/locations")
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    assert "detail" in response.json()


def test_a_saturated_password_hasher_answers_503_with_retry_after(client, org, monkeypatch):
    from springboard.api.routers import auth as auth_routes
    from springboard.families.hashers import HashingBusy

    def busy(*args, **kwargs):
        raise HashingBusy

    monkeypatch.setattr(auth_routes, "authenticate", busy)
    response = post(client, f"{API}/auth/token", {"email": "a@example.com", "password": "x"})
    assert response.status_code == 503
    assert response["Retry-After"] == "3"
    assert "try again" in response.json()["detail"]
