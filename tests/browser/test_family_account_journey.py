"""A new family on a phone: Create Account, code from the email, a student, the policies,
the dashboard; then log out and back in through Forgot Password."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from springboard.demo import data
from tests.browser.conftest import close_welcome

pytestmark = pytest.mark.django_db(transaction=True)


def latest_code(to: str) -> str:
    message = [m for m in mail.outbox if m.to == [to]][-1]
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def test_a_family_signs_up_agrees_and_resets_its_password_on_a_phone(phone):
    data.load(now=timezone.now())
    mail.outbox.clear()
    page = phone.page
    email = "sofia.garcia@example.com"

    page.goto("/demo/login/")
    expect(page.get_by_role("heading", name="Are you a current customer?")).to_be_visible()
    phone.check_page()
    page.get_by_role("link", name="No, create an account").click()

    expect(page.get_by_role("heading", name="Create Account")).to_be_visible()
    phone.check_page()
    page.get_by_label("First name").fill("Sofia")
    page.get_by_label("Last name").fill("Garcia")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Mobile phone").fill("(217) 555-0175")
    page.get_by_label("Password").fill("cartwheel")  # too short: told beside the field
    page.get_by_label("Address", exact=True).fill("9 Birch Court")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("Postal code").fill("62704")
    page.get_by_label("How did you hear about us?").select_option(label="Search engine")
    page.get_by_role("button", name="Create Account").click()
    expect(page.get_by_test_id("error-password")).to_contain_text("too short")
    phone.check_page()
    page.get_by_label("Password").fill("cartwheels-and-flips")
    page.get_by_role("button", name="Create Account").click()

    expect(page.get_by_role("heading", name="Confirm your email")).to_be_visible()
    phone.check_page()
    page.get_by_label("6-digit code").fill(latest_code(email))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Add a student")).to_be_visible()
    expect(page.get_by_test_id("gender-note")).to_be_visible()
    phone.check_page()
    page.get_by_label("First name").fill("Lucia")
    page.get_by_label("Last name").fill("Garcia")
    page.get_by_label("Birth date").fill("2018-06-15")
    page.get_by_label("Female").check()
    page.get_by_role("button", name="Save and finish").click()

    # The demo's required policies come first; the student's medical release is per student.
    expect(page.get_by_role("heading", name="Before you continue")).to_be_visible()
    expect(page.get_by_text("Medical release — Lucia Garcia")).to_be_visible()
    phone.check_page()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.get_by_test_id("error-signature")).to_be_visible()
    page.wait_for_load_state("load")  # every checkbox is on the page before reading the list
    for box in page.get_by_role("checkbox").all():
        box.check()
    page.get_by_label("Type your full name as your signature").fill("Sofia Garcia")
    page.get_by_role("button", name="Submit my answers").click()

    expect(page).to_have_url(re.compile(r"/demo/dashboard/$"))
    close_welcome(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, The Garcia Family")
    phone.check_page()
    page.get_by_role("link", name="My Account").first.click()
    expect(page.get_by_test_id("students")).to_contain_text("Lucia Garcia")
    phone.check_page()
    page.goto("/demo/policies/student/")
    expect(page.get_by_test_id("agreement")).to_contain_text("Lucia Garcia")
    phone.check_page()

    page.goto("/demo/dashboard/")
    page.get_by_test_id("logout").click()
    # The logged-out dashboard has arrived (the heading says so) before close_welcome reads it.
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Welcome to"))
    close_welcome(page)

    page.goto("/demo/login/?current=yes")
    phone.check_page()
    page.get_by_role("link", name="Forgot Password?").click()
    expect(page.get_by_role("heading", name="Forgot Password")).to_be_visible()
    phone.check_page()
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    phone.check_page()
    page.get_by_label("6-digit code").fill(latest_code(email))
    page.get_by_label("New password").fill("round-off-back-handspring")
    page.get_by_role("button", name="Set my new password").click()
    expect(page).to_have_url(re.compile(r"/demo/dashboard/\?reset=1$"))
    close_welcome(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome back, The Garcia Family")
    phone.check_page()
