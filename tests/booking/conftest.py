from datetime import date, datetime

import pytest
import time_machine

from tests import family_factories
from tests.catalog import factories as catalog

NOW = datetime(2026, 12, 1, 15, tzinfo=catalog.CHICAGO)
KID_BIRTH_DATE = date(2020, 6, 1)  # 6 at the demo term's start: fits "Ages 5-7"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_family(org, last_name="Rivera", **kwargs):
    family = family_factories.family(org, last_name=last_name, **kwargs)
    student = family_factories.student(family, birth_date=KID_BIRTH_DATE)
    return family, student


@pytest.fixture
def family(org):
    return make_family(org)


@pytest.fixture
def logged_in(client, family):
    client.force_login(family[0].guardians.get().user)
    return client
