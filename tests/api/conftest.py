from datetime import date, datetime

import pytest
import time_machine

from springboard.api import tokens
from tests import family_factories
from tests.catalog import factories as catalog

NOW = datetime(2026, 12, 1, 15, tzinfo=catalog.CHICAGO)
KID_BIRTH_DATE = date(2020, 6, 1)  # 6 at the term's start: fits the factory's "Ages 5-7"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def family(org):
    found = family_factories.family(org)
    family_factories.student(found, first_name="Mia", birth_date=KID_BIRTH_DATE)
    return found


@pytest.fixture
def token(org, family):
    _row, raw = tokens.issue(
        organization=org, user=family.guardians.get().user, name="test", now=NOW
    )
    return raw


@pytest.fixture
def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}
