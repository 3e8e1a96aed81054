"""On a phone: changing the password in My Account, and the page a rate-limited request gets
(both in the portal's look, accessible, within the CSP)."""

import pytest
from playwright.sync_api import expect

from tests import family_factories
from tests.browser.conftest import log_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_family_changes_its_password_on_a_phone(phone, org):
    family = family_factories.family(org)
    page = phone.page
    log_in(phone, family.email, PASSWORD, account="acme")
    page.goto("/acme/account/")
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    phone.check_page()
    page.get_by_label("Your current password").fill("not-my-password")
    page.get_by_label("New password").fill("cartwheels-on-tuesday-8")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("error-current_password")).to_contain_text("not right")
    phone.check_page()
    page.get_by_label("Your current password").fill(PASSWORD)
    page.get_by_label("New password").fill("cartwheels-on-tuesday-8")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("password-changed")).to_be_visible()
    phone.check_page()


def test_too_many_code_requests_get_a_clear_page_on_a_phone(phone, org):
    page = phone.page
    for _ in range(6):
        page.goto("/acme/password/forgot/")
        page.get_by_label("Email").fill("someone@example.com")
        page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_role("heading", name="Please wait a little")).to_be_visible()
    expect(page.get_by_test_id("too-many")).to_contain_text("nothing was done")
    phone.check_page()
