"""The JSON API's cart add keeps the waiting room's gate (waitingroom.services.may_book, the
rule portal/waiting.py asks too): during a term's opening only a family with a pass adds."""

import json
from datetime import timedelta

import pytest

from springboard.booking.models import CartItem
from tests.waitingroom.conftest import OPENS

pytestmark = pytest.mark.django_db


def api_add(client, course, student):
    body = {"course": course.pk, "students": [student.pk]}
    return client.post(
        "/api/v1/acme/cart/classes", json.dumps(body), content_type="application/json"
    )


def test_the_api_refuses_adds_of_a_term_in_its_opening_without_a_pass(
    clock, room, course, family, logged_in
):
    refused = api_add(logged_in, course, family[1])
    assert refused.status_code == 409
    assert "waiting room" in refused.json()["detail"]
    assert not CartItem.objects.exists()

    # Admitted through the waiting page, the same browser holds a pass and the API adds.
    logged_in.get(f"/acme/waiting-room/?term={course.term_id}&course={course.pk}")
    clock.move_to(OPENS + timedelta(seconds=1))
    logged_in.get(f"/acme/waiting-room/?term={course.term_id}&course={course.pk}")
    assert api_add(logged_in, course, family[1]).status_code == 201
    assert CartItem.objects.filter(family=family[0]).count() == 1
