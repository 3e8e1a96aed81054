import pytest

from tests.booking.conftest import clock, family, logged_in  # noqa: F401
from tests.shop import factories as shop


@pytest.fixture
def proshop(org):
    settings = org.portal_settings
    settings.proshop_enabled = True
    settings.save()
    return settings


@pytest.fixture
def leotard(org, proshop):
    apparel = shop.category(org, "Apparel")
    leotards = shop.category(org, "Leotards", parent=apparel)
    return shop.product(
        org, title="Leotard", price="40.00", stock={"S": 1, "M": 3, "L": 0}, category_row=leotards
    )
