"""The demo family on a phone: My Account, a new student asks for its policy and lands back,
Live, and one login at a second organization."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_family_manages_its_account_on_a_phone(phone):
    data.load(now=timezone.now())
    page = phone.page
    # MY ACCOUNT asks a visitor to log in first, then opens.
    page.goto("/demo/account/")
    expect(page).to_have_url(re.compile(r"/demo/login/\?next="))
    page.get_by_role("link", name="Yes, log in").click()
    phone.check_page()
    page.get_by_label("Email").fill(DEMO_FAMILY.email)
    page.get_by_label("Password").fill(DEMO_FAMILY.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/demo/account/$"))
    expect(page.get_by_test_id("students")).to_contain_text("Mia Rivera")
    phone.check_page()

    # A new student needs the per-student policy; afterwards the family is back where it was.
    page.get_by_role("link", name="Add a student").click()
    phone.check_page()
    page.get_by_label("First name").fill("Noah")
    page.get_by_label("Last name").fill("Rivera")
    page.get_by_label("Birth date").fill("2021-01-09")
    page.get_by_label("Another").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Before you continue")).to_be_visible()
    expect(page.get_by_text("Medical release — Noah Rivera")).to_be_visible()
    phone.check_page()
    page.get_by_label("I agree (Noah Rivera)").check()
    page.get_by_label("Type your full name as your signature").fill("Ana Rivera")
    page.get_by_role("button", name="Submit my answers").click()
    expect(page).to_have_url(re.compile(r"/demo/account/$"))
    expect(page.get_by_test_id("students")).to_contain_text("Noah Rivera")

    page.get_by_role("link", name="Update contact information").click()
    phone.check_page()
    page.get_by_label("Mobile phone").fill("555")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("error-mobile_phone")).to_be_visible()
    phone.check_page()

    page.goto("/demo/live/")
    expect(page.get_by_test_id("live-link")).to_be_visible()
    phone.check_page()
    page.goto("/demo/policies/family/")
    expect(page.get_by_test_id("agreement").first).to_be_visible()
    phone.check_page()

    # The same login at riverside: "Create your family here", pre-filled, no second login.
    page.goto("/riverside/dashboard/")
    page.goto("/riverside/login/")
    expect(page).to_have_url(re.compile(r"/riverside/create-family/$"))
    expect(page.get_by_label("Last name")).to_have_value("Rivera")
    phone.check_page()
    page.get_by_role("button", name="Create my family here").click()
    expect(page.get_by_role("heading", name="Add a student")).to_be_visible()
    page.goto("/riverside/switch/")
    expect(page.get_by_test_id("other-organizations")).to_contain_text(
        "Springboard Gymnastics & Swim"
    )
    phone.check_page()
