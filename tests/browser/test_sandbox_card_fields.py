"""The sandbox gateway's card fields on a phone: numbers go to the gateway, the merchant's
page receives only a token, bad numbers are explained per field (axe and CSP checked)."""

import pytest
from playwright.sync_api import expect

from springboard.billing.gateways.sandbox.models import SandboxToken
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def test_card_and_bank_numbers_go_to_the_gateway_and_only_a_token_comes_back(phone):
    org = factories.organization("acme", name="Acme Gymnastics")
    page = phone.page
    posted_to = []
    page.on(
        "request",
        lambda r: posted_to.append((r.url, r.post_data or "")) if r.method == "POST" else None,
    )
    page.goto(f"/sandbox/gateway/try/{org.account_name}")
    phone.check_page()

    page.get_by_label("Card number").fill("4242 4242 4242 4241")
    page.get_by_label("Expiry month (MM)").fill("12")
    page.get_by_label("Expiry year (YY)").fill("30")
    page.get_by_label("Security code").fill("123")
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_text("Check the card number.")).to_be_visible()
    phone.check_page()

    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Pay").click()
    received = page.get_by_test_id("received")
    expect(received).to_contain_text("tok_sandbox_")
    expect(received).to_contain_text("Visa")
    text = received.inner_text()
    assert "4242 4242 4242 4242" not in text and "4242424242424242" not in text
    phone.check_page()

    merchant_posts = [data for url, data in posted_to if "/gateway/tokens" not in url]
    assert merchant_posts and all(
        "4242424242424242" not in d and "4242+4242" not in d for d in merchant_posts
    )
    assert SandboxToken.objects.filter(merchant="acme", last4="4242").count() == 1

    page.goto(f"/sandbox/gateway/try/{org.account_name}?kind=echeck")
    page.get_by_label("Routing number").fill("110000000")
    page.get_by_label("Account number").fill("000111111116")
    page.get_by_role("button", name="Pay").click()
    expect(page.get_by_test_id("received")).to_contain_text("Sandbox Test Bank")
    phone.check_page()
