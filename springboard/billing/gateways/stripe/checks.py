"""Production refuses the sandbox: with DEBUG off, every active organization must take its
payments through a real processor unless the installation says ALLOW_SANDBOX_GATEWAY=1 (a
staging site). Not a deploy-only check, so `check`, `migrate` and the server all stop."""

from django.conf import settings
from django.core import checks
from django.db import DatabaseError
from django_scopes import scopes_disabled

SANDBOX_PATH = "springboard.billing.gateways.sandbox.gateway.SandboxGateway"


def _organizations_on_the_sandbox() -> list[str]:
    from springboard.billing.gateways.stripe.models import GatewayKind, GatewaySettings
    from springboard.tenancy.models import Organization

    with scopes_disabled():
        try:
            accounts = dict(
                Organization.objects.filter(is_active=True).values_list("pk", "account_name")
            )
        except DatabaseError:
            return []  # not migrated yet: no organization takes payments
        try:
            real = set(
                GatewaySettings.objects.filter(gateway=GatewayKind.STRIPE)
                .exclude(secret_key_encrypted="")
                .values_list("organization_id", flat=True)
            )
        except DatabaseError:
            real = set()  # the settings table is not there yet: nobody has a processor
    return sorted(name for pk, name in accounts.items() if pk not in real)


@checks.register(checks.Tags.security)
def sandbox_refused_in_production(app_configs=None, **kwargs):
    if settings.DEBUG or settings.ALLOW_SANDBOX_GATEWAY:
        return []
    installation_gateway = settings.PAYMENT_GATEWAY
    if installation_gateway and installation_gateway != SANDBOX_PATH:
        return []  # a real adapter chosen for the whole installation
    errors = []
    if installation_gateway == SANDBOX_PATH:
        errors.append(
            checks.Error(
                "PAYMENT_GATEWAY names the sandbox gateway, which takes no real money.",
                hint="Unset PAYMENT_GATEWAY and connect each organization to Stripe in the "
                "admin, or set ALLOW_SANDBOX_GATEWAY=1 on a staging site.",
                id="springboard.E101",
            )
        )
    on_sandbox = _organizations_on_the_sandbox()
    if on_sandbox:
        errors.append(
            checks.Error(
                "These organizations would take payments through the sandbox gateway, which "
                "accepts test card numbers and takes no real money: " + ", ".join(on_sandbox),
                hint="Connect each to Stripe (admin → Payment processor settings; set "
                "ALLOW_SANDBOX_GATEWAY=1 meanwhile to start), or set ALLOW_SANDBOX_GATEWAY=1 "
                "on a staging site.",
                id="springboard.E102",
            )
        )
    if not settings.GATEWAY_SECRETS_KEYS and len(on_sandbox) < _count_organizations():
        errors.append(
            checks.Error(
                "GATEWAY_SECRETS_KEYS is not set, so the stored Stripe keys cannot be read.",
                hint="Set GATEWAY_SECRETS_KEYS to the Fernet key the keys were saved with.",
                id="springboard.E103",
            )
        )
    return errors


def _count_organizations() -> int:
    from springboard.tenancy.models import Organization

    with scopes_disabled():
        try:
            return Organization.objects.filter(is_active=True).count()
        except DatabaseError:
            return 0


def refuse_to_serve_on_the_sandbox() -> None:
    """The WSGI application's own guard (config/wsgi.py): gunicorn runs no system checks, so
    a production server would otherwise start and answer 500 at every payment page (the
    sandbox's endpoint is not mounted). Raises with the check's messages instead."""
    from django.core.exceptions import ImproperlyConfigured

    errors = sandbox_refused_in_production()
    if errors:
        raise ImproperlyConfigured(
            "Springboard will not serve: "
            + " ".join(f"{error.id}: {error.msg} {error.hint}" for error in errors)
        )
