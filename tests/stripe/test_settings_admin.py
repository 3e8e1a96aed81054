"""Owners connect their organization to Stripe in the admin: keys checked against the
account before saving, secrets stored encrypted and never shown back or logged; staff and
other organizations see nothing."""

import logging

import pytest
from django_scopes import scopes_disabled

from springboard.billing.gateways import get_gateway
from springboard.billing.gateways.stripe.models import GatewaySettings
from springboard.tenancy.models import StaffRole
from tests import factories

pytestmark = pytest.mark.django_db

ADD = "/admin/stripe_gateway/gatewaysettings/add/"
SECRET = "sk_test_owner_secret_9876"
WEBHOOK = "whsec_owner_webhook_5432"


def _form(org, **changes):
    data = {
        "organization": org.pk,
        "gateway": "stripe",
        "publishable_key": "pk_test_owner",
        "secret_key": SECRET,
        "webhook_secret": WEBHOOK,
    }
    data.update(changes)
    return data


def _dump_everything() -> str:
    from django.contrib.admin.models import LogEntry

    with scopes_disabled():
        return str(list(GatewaySettings.objects.values())) + str(list(LogEntry.objects.values()))


def test_an_owner_connects_stripe_and_the_secrets_are_never_shown_or_stored_plain(
    client, org, stripe_settings, caplog
):
    # localstripe takes any test key; Stripe's test mode only the run's own.
    secret = SECRET if stripe_settings.local else stripe_settings.secret_key
    client.force_login(factories.staff_user(org, StaffRole.OWNER))
    caplog.set_level(logging.DEBUG)
    response = client.post(ADD, _form(org, secret_key=secret))
    assert response.status_code == 302, response.content.decode()[:3000]
    row = GatewaySettings.objects.get()
    assert (row.secret_key, row.webhook_secret) == (secret, WEBHOOK)
    assert get_gateway(org).name == "stripe"
    page = client.get(f"/admin/stripe_gateway/gatewaysettings/{row.pk}/change/").content.decode()
    assert secret not in page and WEBHOOK not in page
    assert f"…{secret[-4:]}" in page and "…5432" in page
    assert "/gateways/stripe/acme/webhook/" in page
    stored = _dump_everything()
    assert secret not in stored and WEBHOOK not in stored
    assert secret not in caplog.text and WEBHOOK not in caplog.text
    # Saving again with the boxes empty keeps the stored secrets.
    response = client.post(
        f"/admin/stripe_gateway/gatewaysettings/{row.pk}/change/",
        _form(org, secret_key="", webhook_secret="", publishable_key="pk_test_new"),
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.publishable_key, row.secret_key, row.webhook_secret) == (
        "pk_test_new",
        secret,
        WEBHOOK,
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"secret_key": "sk_no"}, "Stripe does not accept this secret key."),
        ({"secret_key": "pk_test_oops"}, "starts with sk_ or rk_"),
        ({"publishable_key": "sk_test_swapped"}, "publishable key starts with pk_"),
        ({"webhook_secret": "secret"}, "starts with whsec_"),
        ({"secret_key": ""}, "Enter the account"),
    ],
)
def test_a_wrong_key_is_refused_with_a_message_and_nothing_is_stored(
    client, org, stripe_settings, changes, message
):
    client.force_login(factories.staff_user(org, StaffRole.OWNER))
    response = client.post(ADD, _form(org, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not GatewaySettings.objects.exists()
    assert get_gateway(org).name == "sandbox"


def test_stripe_unreachable_on_save_stores_nothing(client, org, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    client.force_login(factories.staff_user(org, StaffRole.OWNER))
    response = client.post(ADD, _form(org))
    assert "could not be reached" in response.content.decode()
    assert not GatewaySettings.objects.exists()


def test_staff_and_other_organizations_cannot_see_the_settings(
    client, org, other_org, stripe_settings
):
    client.force_login(factories.staff_user(org, StaffRole.OWNER))
    assert client.post(ADD, _form(org)).status_code == 302
    row = GatewaySettings.objects.get()
    change = f"/admin/stripe_gateway/gatewaysettings/{row.pk}/change/"
    client.force_login(factories.staff_user(org, StaffRole.STAFF))
    assert client.get(change).status_code in {302, 403, 404}
    assert client.get(ADD).status_code == 403
    client.force_login(factories.staff_user(other_org, StaffRole.OWNER))
    assert client.get(change).status_code in {302, 404}
    response = client.post(ADD, _form(org))
    assert response.status_code == 200  # org is not a choice for the rival's owner
    assert GatewaySettings.objects.count() == 1


def test_production_offers_only_stripe(client, org, settings):
    settings.TESTING = False
    settings.ALLOW_SANDBOX_GATEWAY = False
    client.force_login(factories.staff_user(org, StaffRole.OWNER))
    page = client.get(ADD).content.decode()
    assert 'value="stripe"' in page and 'value="sandbox"' not in page
