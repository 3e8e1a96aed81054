from datetime import timedelta

import pytest

from springboard.waitingroom import passes, rules
from springboard.waitingroom.models import WaitingRoom
from tests.booking.conftest import NOW, make_family
from tests.catalog import factories as catalog

OPENS = NOW + timedelta(minutes=10)


def hand_pass(client, organization_id: int, *, waiter: str = "anyone", minutes: int = 20):
    """Put a genuine pass of `organization_id`'s opening at OPENS in the browser's cookies
    (ticket 1 of `waiter`, expiring `minutes` after the opening)."""
    client.cookies[passes.PASS_COOKIE] = passes.make_pass(
        rules.Rush(organization_id, OPENS, 60, 20),
        waiter=waiter,
        number=1,
        expires_at=OPENS + timedelta(minutes=minutes),
    )


@pytest.fixture
def clock():
    import time_machine

    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def room(org):
    return WaitingRoom.objects.create(organization=org, admissions_per_minute=60, pass_minutes=20)


@pytest.fixture
def course(org):
    term = catalog.term(org, name="Winter", enrollment_opens_at=OPENS)
    return catalog.course(org, term=term, name="Tadpoles", capacity=10)


@pytest.fixture
def family(org):
    return make_family(org)


@pytest.fixture
def logged_in(client, family):
    client.force_login(family[0].guardians.get().user)
    return client
