"""On a phone, the demo family pays for a class through Stripe's card fields — served here by
localstripe's Stripe.js stand-in — and afterwards no card number is in our database, our logs
or the emails we sent (PCI SAQ-A: the number went to the processor only). CSP checked on
every page; axe on every page (the stand-in's own inputs excluded: real Stripe.js renders
its fields in its own accessible iframe)."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from springboard.billing.models import Payment
from springboard.checkout.models import Order, OrderStatus
from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY
from springboard.tenancy.models import Organization
from tests.browser.conftest import log_in
from tests.browser.test_checkout_journey import add_class_for
from tests.stripe_server import (  # noqa: F401 - fixtures
    NEEDS_AUTHENTICATION,
    VISA,
    connect_to_stripe,
    stripe_server,
    stripe_settings,
)

pytestmark = pytest.mark.django_db(transaction=True)
START = datetime(2026, 12, 1, 18, tzinfo=UTC)
NUMBER_SHAPES = ("4242424242424242", "4242 4242 4242 4242", "4242+4242")


@pytest.fixture(autouse=True)
def _december_2026():
    with time_machine.travel(START, tick=True):
        yield


def check_payment_page(phone) -> None:
    """check_page's CSP, width and axe checks, with the processor's own fields left to it."""
    page = phone.page
    page.wait_for_load_state("load")
    page.mouse.move(0, 0)
    csp = page.evaluate("window.__cspViolations || []")
    console_csp = [m for m in phone.console_errors if "Content Security Policy" in m]
    assert not csp and not console_csp, (page.url, csp, console_csp)
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at 390px"
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(
              {exclude: [["[data-stripe-card]"]]}, {resultTypes: ["violations"]});
            return result.violations
              .filter(v => v.impact === "serious" || v.impact === "critical")
              .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")));
        }"""
    )
    assert not violations, (page.url, violations)


def test_the_demo_family_pays_for_a_class_on_stripes_fields(
    phone,
    live_server,
    stripe_settings,  # noqa: F811 - the fixture imported above
    caplog,
    tmp_path,
):
    if not stripe_settings.local:
        pytest.skip("types into localstripe's stand-in fields; Stripe's own are in an iframe")
    data.load(now=timezone.now())
    with scopes_disabled():
        connect_to_stripe(Organization.objects.get(account_name="demo"), stripe_settings)
    page = phone.page
    page.set_default_timeout(15_000)
    page.clock.install(time=timezone.now())
    posted = []
    page.on(
        "request",
        lambda r: posted.append((r.url, r.post_data or "")) if r.method == "POST" else None,
    )

    page.goto("/demo/")
    page.get_by_role("link", name="Click to Begin").click()
    log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)
    add_class_for(phone, "Leo")
    page.get_by_test_id("checkout").click()
    expect(page).to_have_url(re.compile(r"/demo/cart/checkout/$"))
    for box in page.locator('input[name="policy"]').all():
        box.check()
    page.get_by_label("A new card").check()
    card = page.locator("[data-stripe-card]")
    expect(card.locator("input").first).to_be_visible()  # Stripe.js mounted its fields
    check_payment_page(phone)
    expect(page.get_by_label("A bank account (eCheck)")).to_have_count(0)

    for placeholder, value in (
        ("number", VISA),
        ("exp_month", "12"),
        ("exp_year", "30"),
        ("cvc", "123"),
        ("postal_code", "60601"),
    ):
        card.get_by_placeholder(placeholder, exact=True).fill(value)
    page.get_by_test_id("pay").click()

    expect(page).to_have_url(re.compile(r"/demo/orders/\d+/$"))
    expect(page.get_by_test_id("order-status")).to_contain_text("Paid")
    phone.check_page()
    order = Order.objects.get()
    assert order.status == OrderStatus.CONFIRMED
    payment = Payment.objects.get(pk=order.payment_id)
    assert payment.gateway == "stripe" and payment.last4 == "4242"

    # The number went to the processor (localstripe) only; our server got a pm_ id.
    ours = [body for url, body in posted if url.startswith(live_server.url)]
    assert ours and not any(shape in body for body in ours for shape in NUMBER_SHAPES)
    assert any(url.startswith(stripe_settings.api_base) for url, _body in posted)
    dump = tmp_path / "dump.json"
    call_command("dumpdata", output=str(dump), verbosity=0)
    stored = dump.read_text()
    sent = " ".join(m.body + " ".join(str(a[0]) for a in m.alternatives) for m in mail.outbox)
    for shape in NUMBER_SHAPES:
        assert shape not in stored and shape not in caplog.text and shape not in sent
    assert any("receipt" in m.subject.lower() for m in mail.outbox)


def test_the_bank_asks_to_authenticate_and_the_family_completes_it(
    phone,
    live_server,
    stripe_settings,  # noqa: F811 - the fixture imported above
):
    """3-D Secure during the payment: localstripe's Stripe.js stand-in shows its bank
    dialog (once when the card is set up, once for the payment itself); the family
    completes it, our page carries on by itself and the order is paid once."""
    if not stripe_settings.local:
        pytest.skip("types into localstripe's stand-in fields; Stripe's own are in an iframe")
    data.load(now=timezone.now())
    with scopes_disabled():
        connect_to_stripe(Organization.objects.get(account_name="demo"), stripe_settings)
    page = phone.page
    page.set_default_timeout(15_000)
    page.clock.install(time=timezone.now())
    page.goto("/demo/")
    page.get_by_role("link", name="Click to Begin").click()
    log_in(phone, DEMO_FAMILY.email, DEMO_FAMILY.password)
    add_class_for(phone, "Leo")
    page.get_by_test_id("checkout").click()
    for box in page.locator('input[name="policy"]').all():
        box.check()
    page.get_by_label("A new card").check()
    card = page.locator("[data-stripe-card]")
    expect(card.locator("input").first).to_be_visible()
    for placeholder, value in (
        ("number", NEEDS_AUTHENTICATION),
        ("exp_month", "12"),
        ("exp_year", "30"),
        ("cvc", "123"),
        ("postal_code", "60601"),
    ):
        card.get_by_placeholder(placeholder, exact=True).fill(value)
    page.get_by_test_id("pay").click()
    # The bank's check when the card is set up (Stripe.js's confirmCardSetup) …
    page.get_by_role("button", name="Complete authentication").click()
    # … and for the payment itself: our page says why, Stripe.js asks again.
    expect(page.get_by_test_id("bank-check-message")).to_contain_text("Your bank asks")
    check_payment_page(phone)
    page.get_by_role("button", name="Complete authentication").click()

    expect(page).to_have_url(re.compile(r"/demo/orders/\d+/$"))
    expect(page.get_by_test_id("order-status")).to_contain_text("Paid")
    order = Order.objects.get()
    assert order.status == OrderStatus.CONFIRMED
    payment = Payment.objects.get(pk=order.payment_id)
    assert payment.succeeded and payment.last4 == "3184"
    assert Payment.objects.filter(idempotency_key__startswith=f"order-{order.pk}-").count() == 1
