import os

import pytest
from django.db import connection

from tests import factories


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests skip on SQLite, saying why."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (set DATABASE_URL; CI does): SQLite has no row locks"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def org(db):
    organization = factories.organization("acme", name="Acme Gymnastics")
    factories.location(organization, name="Main")
    return organization


@pytest.fixture
def other_org(db):
    organization = factories.organization("rival", name="Rival Swim")
    factories.location(organization, name="Rival Pool")
    return organization


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rate-limit counters do not leak between tests."""
    from django.core.cache import cache

    cache.clear()


os.environ.setdefault("SPRINGBOARD_TESTING", "1")
