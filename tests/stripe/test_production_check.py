"""Production refuses the sandbox: with DEBUG=0 a system check error stops `check --deploy`,
`migrate` and the server unless every organization takes payments through Stripe or the
installation sets ALLOW_SANDBOX_GATEWAY=1; the sandbox's endpoint is not mounted then."""

import shutil

import pytest
from cryptography.fernet import Fernet

from tests.test_security import PRODUCTION_SECRET, _manage

PRODUCTION = {
    "ALLOWED_HOSTS": "portal.example.com",
    "SECRET_KEY": PRODUCTION_SECRET,
    "PORTAL_BASE_URL": "https://portal.example.com",
    "CACHE_URL": "redis://127.0.0.1:6379/0",
}
KEY = Fernet.generate_key().decode()

CREATE_ORGANIZATION = (
    "from springboard.tenancy.models import Organization; "
    "Organization.objects.create(account_name='acme', name='Acme')"
)
CONNECT_TO_STRIPE = (
    "from django_scopes import scopes_disabled; "
    "from springboard.tenancy.models import Organization; "
    "from springboard.billing.gateways.stripe.models import GatewaySettings; "
    "c = GatewaySettings(organization=Organization.objects.get(account_name='acme'), "
    "gateway='stripe', publishable_key='pk_live_x'); "
    "c.set_secrets(secret_key='sk_live_x', webhook_secret='whsec_x'); "
    "c.save()"
)


def _env(folder):
    return {
        **PRODUCTION,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "GATEWAY_SECRETS_KEYS": KEY,
    }


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A production install's database (SQLite) with one organization, migrated once."""
    folder = tmp_path_factory.mktemp("production")
    env = _env(folder)
    # One interpreter for both steps (a Django start-up is seconds under load).
    migrate_and_create = (
        "from django.core.management import call_command; "
        "call_command('migrate', interactive=False, verbosity=0); " + CREATE_ORGANIZATION
    )
    created = _manage(folder, "shell", "-c", migrate_and_create, ALLOW_SANDBOX_GATEWAY="1", **env)
    assert created.returncode == 0, created.stderr
    return folder / "db.sqlite3"


@pytest.fixture
def production(tmp_path, migrated):
    shutil.copy(migrated, tmp_path / "db.sqlite3")
    return tmp_path, _env(tmp_path)


def test_production_with_an_organization_on_the_sandbox_refuses_to_start(production):
    tmp_path, env = production
    for command in (["check", "--deploy"], ["migrate", "--noinput"]):
        result = _manage(tmp_path, *command, **env)
        assert result.returncode != 0, command
        assert "springboard.E102" in result.stderr
        assert "acme" in result.stderr and "sandbox gateway" in result.stderr


def test_the_wsgi_application_refuses_to_load_on_the_sandbox(production):
    """gunicorn runs no system checks: the application itself refuses to load."""
    tmp_path, env = production
    refused = _manage(tmp_path, "shell", "-c", "import config.wsgi", **env)
    assert refused.returncode != 0
    assert "springboard.E102" in refused.stderr and "acme" in refused.stderr
    allowed = _manage(
        tmp_path, "shell", "-c", "import config.wsgi", ALLOW_SANDBOX_GATEWAY="1", **env
    )
    assert allowed.returncode == 0, allowed.stderr


def test_a_staging_site_may_allow_the_sandbox(production):
    tmp_path, env = production
    result = _manage(tmp_path, "check", "--deploy", ALLOW_SANDBOX_GATEWAY="1", **env)
    assert result.returncode == 0, result.stderr


def test_production_starts_once_every_organization_is_on_stripe(production):
    tmp_path, env = production
    connected = _manage(
        tmp_path, "shell", "-c", CONNECT_TO_STRIPE, ALLOW_SANDBOX_GATEWAY="1", **env
    )
    assert connected.returncode == 0, connected.stderr
    result = _manage(tmp_path, "check", "--deploy", **env)
    assert result.returncode == 0, result.stderr
    # ... and the sandbox's endpoint is not there.
    mounted = _manage(
        tmp_path,
        "shell",
        "-c",
        "from django.urls import resolve; print(resolve('/sandbox/gateway/tokens').url_name)",
        **env,
    )
    assert "tokens" not in mounted.stdout


def test_stored_stripe_keys_need_the_encryption_key(production):
    tmp_path, env = production
    _manage(tmp_path, "shell", "-c", CONNECT_TO_STRIPE, ALLOW_SANDBOX_GATEWAY="1", **env)
    without_key = {k: v for k, v in env.items() if k != "GATEWAY_SECRETS_KEYS"}
    result = _manage(tmp_path, "check", **without_key)
    assert result.returncode != 0
    assert "GATEWAY_SECRETS_KEYS" in result.stderr


def test_the_sandbox_named_for_the_whole_installation_is_refused(tmp_path):
    env = {**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = _manage(
        tmp_path,
        "check",
        PAYMENT_GATEWAY="springboard.billing.gateways.sandbox.gateway.SandboxGateway",
        **env,
    )
    assert result.returncode != 0
    assert "springboard.E101" in result.stderr


def test_the_demo_still_runs_on_the_sandbox(production):
    tmp_path, env = production
    result = _manage(tmp_path, "check", DEBUG="1", **env)
    assert result.returncode == 0, result.stderr
