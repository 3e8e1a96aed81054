"""schemathesis fuzzes the whole API in-process (WSGI) with a demo-like family's token: every
operation, generated valid and invalid inputs, on PostgreSQL. No 5xx, and every response
conforms to the schema (status codes, content types, headers, bodies).

Deterministic (derandomized, fixed examples per operation) and kept small so `make test`
stays quick; docs/api.md, "Fuzzing".
"""

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from schemathesis import checks as sc
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi import checks as oc

from springboard.api import tokens
from tests import factories, family_factories
from tests.api.conftest import KID_BIRTH_DATE, NOW
from tests.catalog import factories as catalog

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

MAX_EXAMPLES = 25
CHECKS = [
    sc.not_a_server_error,
    oc.status_code_conformance,
    oc.content_type_conformance,
    oc.response_headers_conformance,
    oc.response_schema_conformance,
]


# Loaded once at collection (reading the schema touches no table); the token comes per test.
schema = schemathesis.openapi.from_wsgi(
    "/api/v1/openapi.json",
    WSGIHandler(),
    config=SchemathesisConfig.from_dict(
        {
            "seed": 16,
            "parameters": {"account": "acme"},  # tests/conftest.py's org
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True},
        }
    ),
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """As Django's test client does: a request starting or finishing must not close the
    connection that holds the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def demo_token(org, clock, settings):
    """A demo-like organization (classes with openings, a camp, news) and its family's token."""
    settings.API_RATE_LIMITS = {"address": "100000/m", "token": "100000/m"}
    term = catalog.term(org)
    catalog.course(org, term=term, capacity=6, name="Tumble Tots")
    catalog.course(org, term=term, capacity=1, name="Ninja Zone", wednesday=True)
    catalog.event(org, name="Winter camp")
    factories.news_item(org, title="Registration opens")
    family = family_factories.family(org)
    family_factories.student(family, first_name="Mia", birth_date=KID_BIRTH_DATE)
    _row, raw = tokens.issue(
        organization=org, user=family.guardians.get().user, name="fuzz", now=NOW
    )
    return raw


@schema.parametrize()
# The family, its token and the database are set up once per operation; every example of the
# operation runs against them (holds and orders pile up, as on a busy evening).
@hypothesis.settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
def test_the_api_answers_every_generated_request_as_its_schema_says(case, demo_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {demo_token}"}, checks=CHECKS)
