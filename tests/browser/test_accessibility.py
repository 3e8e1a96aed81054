"""WCAG 2.2 AA on every portal page: axe-core (WCAG 2.0–2.2 A/AA rules, every impact) reads
each page a visitor and a logged-in family can reach, with its dialogs open and its forms
showing their errors.

"Every page" is the portal's URLconf: each visit notes the URL name it landed on, and the test
fails when a name of springboard/portal/urls.py was neither read nor listed in NOT_PAGES with
its reason. A new portal page is therefore covered here, or the test says so.
"""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from springboard.booking.models import Enrollment, EnrollmentStatus, EventRegistration, PartyBooking
from springboard.catalog.models import Course, Event, EventDay, PartyPackage, PartySlot
from springboard.content.models import NewsItem
from springboard.demo import data
from springboard.demo.families import DEMO_FAMILY
from springboard.families.models import EmergencyContact, Family, Guardian, Policy, Student
from springboard.shop.models import Product
from tests.browser.axe_audit import Audit, portal_url_names
from tests.browser.conftest import (
    AXE,
    PHONE,
    close_welcome,
    expect_welcome_open,
    show_only_openings,
)

pytestmark = pytest.mark.django_db(transaction=True)
START = datetime(2026, 12, 1, 18, tzinfo=UTC)

# Portal URL names that are not pages: a form posts to them and they answer with a redirect
# (or an HTMX fragment of a page read here). Their outcome pages are read here. The calendar
# feed is not HTML at all.
NOT_PAGES = {
    "choose_location": "POST only: the Location details dialog's Switch button",
    "logout": "POST only: MENU's Log out",
    "resend_code": "POST only: a button on Confirm your email",
    "cart_add_course": "POST only: Add to cart on a class page, redirects to the cart",
    "cart_add_event": "POST only: Add to cart on a camp page, redirects to the cart",
    "cart_add_product": "POST only: Add to cart on a product page, redirects to the cart",
    "cart_remove": "POST only: Remove in the cart",
    "cart_add_again": "POST only: Add again in the cart",
    "waitlist_join": "POST only: Join the waitlist on a full class",
    "waitlist_leave": "POST only: Leave the waitlist in My Account",
    "checkout_start": "POST only: Checkout in the cart, redirects to the checkout page",
    "checkout_cancel": "POST only: a button on the checkout page",
    "checkout_promo_code": "POST only: the promo code form of the checkout page",
    "checkout_gift_card": "POST only: the eGift Card form of the checkout page",
    "checkout_gift_card_remove": "POST only: a button on the checkout page",
    "gift_card_to_credit": "POST only: a button on the eGift Card balance page",
    "payment_method": "POST only: make default / remove on Payment methods",
    "pay": "POST only: the Payments page's form, redirects back to it",
    "apply_credit": "POST only: the Payments page's form, redirects back to it",
    "set_language": "POST only: MENU's language switch, redirects back to the page it was on",
    "calendar_create": "POST only: Get my calendar link in My Account, redirects back to it",
    "calendar_feed": "not HTML: the private feed is text/calendar, fetched by calendar apps",
}
NEW_EMAIL = "sofia.garcia@example.com"


@pytest.fixture(autouse=True)
def _december_2026():
    with time_machine.travel(START, tick=True):
        yield


@pytest.fixture
def audit(browser, live_server):
    context = browser.new_context(viewport=PHONE, base_url=live_server.url, reduced_motion="reduce")
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield Audit(page)
    context.close()


def latest_code(to: str) -> str:
    message = [m for m in mail.outbox if m.to == [to]][-1]
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def visit(audit: Audit, url: str, label: str = "", *, status: int = 200) -> None:
    response = audit.page.goto(url)
    assert response.status == status, (url, response.status)
    audit.check(label)


def submit_empty(audit: Audit, button: str | None = None, label: str = "errors") -> None:
    """Presses the form's button with nothing filled in (the browser's own checks off, so the
    server's error messages show) and reads the page with its errors."""
    page = audit.page
    page.evaluate(
        """document.querySelectorAll("main form[method=post]").forEach(form => {
            form.noValidate = true;
            form.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio])"
                + ", textarea").forEach(input => { input.value = ""; });
        })"""
    )
    main = page.locator("main")
    if button is None:  # the page's main form (the one that posts)
        main.locator("form[method=post] button:not([type=button])").locator(
            "visible=true"
        ).first.click()
    else:
        main.get_by_role("button", name=button, exact=True).first.click()
    expect(page.locator(".invalid-feedback, .alert-danger, [role=alert]").first).to_be_visible()
    audit.check(label)


def chrome_dialogs(audit: Audit) -> None:
    """MENU, MORE and LOCATION DETAILS open, each read by axe."""
    page = audit.page
    page.get_by_role("button", name="Menu").click()
    menu = page.get_by_role("dialog", name="Menu")
    expect(menu).to_be_visible()
    audit.check("menu open")
    page.keyboard.press("Escape")
    expect(menu).to_be_hidden()
    page.get_by_role("button", name="More").click()
    expect(page.locator(".dropdown-menu.show")).to_be_visible()
    audit.check("more open")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Location details").click()
    location = page.get_by_role("dialog", name="Location details")
    expect(location).to_be_visible()
    audit.check("location details open")
    page.keyboard.press("Escape")
    expect(location).to_be_hidden()


def visitor_pages(audit: Audit, org) -> None:
    page = audit.page
    visit(audit, "/demo/")
    expect(page.get_by_role("button", name="Play slides")).to_be_visible()  # reduced motion
    page.get_by_role("button", name=re.compile("Learn More")).and_(
        page.locator(":visible")
    ).first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    audit.check("news dialog open")
    page.keyboard.press("Escape")

    visit(audit, "/demo/dashboard/")
    expect_welcome_open(page)
    audit.check("welcome open")
    close_welcome(page)
    chrome_dialogs(audit)

    news = NewsItem.objects.filter(organization=org).current(timezone.now()).first()
    course = Course.objects.filter(organization=org).order_by("pk").first()
    event = Event.objects.filter(organization=org).order_by("pk").first()
    package = PartyPackage.objects.filter(organization=org).order_by("pk").first()
    slot = PartySlot.objects.filter(organization=org).order_by("starts_at").last()
    product = Product.objects.filter(organization=org).order_by("pk").first()
    for url in [
        "/demo/news/",
        f"/demo/news/{news.pk}/",
        "/demo/staff/",
        "/demo/booking/",
        "/demo/booking/classes/",
        f"/demo/booking/classes/{course.pk}/",
        "/demo/booking/find-the-right-class/",
        "/demo/booking/events/",
        f"/demo/booking/events/{event.pk}/",
        "/demo/booking/parties/",
        f"/demo/booking/parties/{package.pk}/",
        f"/demo/booking/parties/slots/{slot.pk}/",
        "/demo/proshop/",
        f"/demo/proshop/{product.pk}/",
        "/demo/cart/",
        "/demo/waiting-room/",
    ]:
        visit(audit, url)
    visit(audit, "/demo/egift-cards/")
    submit_empty(audit)
    visit(audit, "/demo/egift-cards/balance/")
    submit_empty(audit)
    # The invitation families get by email, opened with a bad token: the page says so.
    visit(audit, "/demo/account/join/", "bad token", status=404)

    visit(audit, "/demo/login/")
    visit(audit, "/demo/login/?current=yes")
    submit_empty(audit)


def sign_up_pages(audit: Audit) -> None:
    """Create Account, Confirm your email, Add a student, the policies; then Forgot Password."""
    page = audit.page
    visit(audit, "/demo/register/")
    submit_empty(audit)
    page.get_by_label("First name").fill("Sofia")
    page.get_by_label("Last name").fill("Garcia")
    page.get_by_label("Email", exact=True).fill(NEW_EMAIL)
    page.get_by_label("Mobile phone").fill("(217) 555-0175")
    page.get_by_label("Password").fill("cartwheels-and-flips")
    page.get_by_label("Address", exact=True).fill("9 Birch Court")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("Postal code").fill("62704")
    page.get_by_label("How did you hear about us?").select_option(label="Search engine")
    page.get_by_role("button", name="Create Account").click()
    expect(page.get_by_role("heading", name="Confirm your email")).to_be_visible()
    audit.check()
    submit_empty(audit)
    page.get_by_label("6-digit code").fill(latest_code(NEW_EMAIL))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Add a student")).to_be_visible()
    audit.check()
    submit_empty(audit)
    page.get_by_label("First name").fill("Lucia")
    page.get_by_label("Last name").fill("Garcia")
    page.get_by_label("Birth date").fill("2018-06-15")
    page.get_by_label("Female").check()
    page.get_by_role("button", name="Save and finish").click()
    expect(page.get_by_role("heading", name="Before you continue")).to_be_visible()
    audit.check()
    submit_empty(audit)

    # Logged in without a family here: another organization offers to create one.
    visit(audit, "/riverside/create-family/")  # pre-filled from the login's family

    page.context.clear_cookies()
    visit(audit, "/demo/password/forgot/")
    submit_empty(audit)
    page.get_by_label("Email").fill(NEW_EMAIL)
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    audit.check()
    submit_empty(audit)
    page.context.clear_cookies()


def family_pages(audit: Audit, org) -> None:
    page = audit.page
    page.goto("/demo/login/?current=yes")
    page.get_by_label("Email", exact=True).fill(DEMO_FAMILY.email)
    page.get_by_label("Password").fill(DEMO_FAMILY.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/demo/dashboard/"))
    expect_welcome_open(page)
    audit.check("welcome open")
    close_welcome(page)
    audit.check()
    chrome_dialogs(audit)

    family = Family.objects.get(organization=org, guardians__user__email=DEMO_FAMILY.email)
    student = Student.objects.filter(family=family).order_by("pk").first()
    guardian = Guardian.objects.filter(family=family).order_by("pk").first()
    policy = Policy.objects.filter(organization=org).order_by("pk").first()
    enrollment = Enrollment.objects.filter(student__family=family).order_by("pk").first()
    contact = EmergencyContact.objects.create(
        organization=org, family=family, name="Ana Rivera", phone="+12175550199"
    )
    for url in [
        "/demo/account/",
        "/demo/policies/family/",
        "/demo/policies/student/",
        f"/demo/policies/{policy.pk}/",
        "/demo/policies/",
        "/demo/live/",
        "/demo/switch/",
        "/demo/account/payment-methods/",
        "/demo/account/payments/",
        "/demo/account/history/",
        "/demo/account/statement/",
        f"/demo/account/enrollments/{enrollment.pk}/drop/",
        f"/demo/account/students/{student.pk}/",
        f"/demo/account/guardians/{guardian.pk}/",
    ]:
        visit(audit, url)
    # A waitlist offer's link from the email, opened with a bad token: the page says so.
    visit(audit, "/demo/waitlist/offers/not-a-token/", "bad token", status=404)
    visit(audit, f"/demo/account/emergency-contacts/{contact.pk}/")
    # The gateway's card fields, sent empty: each says what is missing.
    for url in ["/demo/account/payment-methods/", "/demo/account/payments/?with=card"]:
        visit(audit, url)
        form = page.get_by_test_id("add-method").or_(page.get_by_test_id("pay-form"))
        form.locator("button[type=submit]").last.click()
        expect(page.locator(".invalid-feedback:not(:empty)").first).to_be_visible()
        audit.check("card errors")
    for url in [
        "/demo/account/contact/",
        "/demo/account/password/",
        "/demo/account/students/add/",
        "/demo/account/guardians/add/",
        "/demo/account/emergency-contacts/add/",
        "/demo/account/email/",
    ]:
        visit(audit, url)
        submit_empty(audit)
    page.get_by_label("New email").fill("rivera.new@example.com")
    page.get_by_label("Password").fill(DEMO_FAMILY.password)
    page.locator("main").get_by_role("button").first.click()
    expect(page).to_have_url(re.compile(r"/demo/account/email/confirm/"))
    audit.check()
    submit_empty(audit)


def checkout_pages(audit: Audit, org) -> None:
    page = audit.page
    page.goto("/demo/booking/find-the-right-class/")
    page.get_by_test_id("student-picker").get_by_role("link", name="Leo").click()
    show_only_openings(page)
    courses = page.get_by_test_id("course")
    expect(courses.first).to_be_visible()
    audit.check("a student's classes")
    courses.first.locator("h2 a").click()
    page.get_by_label("Leo").check()
    page.get_by_role("button", name="Add to cart").click()
    expect(page).to_have_url(re.compile(r"/demo/cart/$"))
    audit.check("one class held")
    page.get_by_test_id("checkout").click()
    expect(page).to_have_url(re.compile(r"/demo/cart/checkout/$"))
    audit.check()
    page.get_by_label("A new card").check()
    page.get_by_test_id("pay").click()
    expect(
        page.get_by_test_id("checkout-error").or_(page.locator(".invalid-feedback")).first
    ).to_be_visible()
    audit.check("errors")
    for box in page.locator('input[name="policy"]').all():
        box.check()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry month (MM)").fill("12")
    page.get_by_label("Expiry year (YY)").fill("30")
    page.get_by_label("Security code").fill("123")
    page.get_by_test_id("pay").click()
    expect(page).to_have_url(re.compile(r"/demo/orders/\d+/$"))
    audit.check()


def calendar_pages(audit: Audit) -> None:
    """My Account's calendar link: made, then Reset the link (the confirmation page)."""
    page = audit.page
    visit(audit, "/demo/account/")
    page.get_by_role("button", name="Get my calendar link").click()
    expect(page.get_by_test_id("calendar-url")).to_be_visible()
    audit.check("calendar link")
    page.get_by_test_id("calendar-feed").get_by_role("link", name="Reset the link").click()
    expect(page).to_have_url(re.compile(r"/demo/account/calendar/reset/$"))
    audit.check()
    page.get_by_test_id("calendar-reset-confirm").click()
    expect(page.get_by_test_id("calendar-reset-done")).to_be_visible()
    audit.check("calendar reset")


def attendance_pages(audit: Audit, enrollment: Enrollment) -> None:
    """Absences (the demo's rules take them online) with a meeting marked absent and a bad
    date's refusal; Makeups with the credit it gave, then a makeup booked."""
    page = audit.page
    url = f"/demo/account/enrollments/{enrollment.pk}/absences/"
    visit(audit, url)
    page.get_by_role("button", name=re.compile(r"^Mark absent on")).first.click()
    expect(page.locator(".alert-success")).to_be_visible()
    audit.check("marked absent")
    # A date not in the list (a tampered form): the refusal shows on the page (400).
    page.locator("main form[method=post] input[name=date]").first.evaluate(
        "input => { input.value = 'not-a-date'; }"
    )
    page.locator("main form[method=post] button").first.click()
    expect(page.get_by_test_id("absence-refusal")).to_be_visible()
    audit.check("refusal")

    visit(audit, "/demo/account/makeups/")
    expect(page.get_by_test_id("makeup-credits").first).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Book makeup: ")).first.click()
    expect(page.get_by_test_id("makeup-booked").first).to_be_visible()
    audit.check("makeup booked")


def transfer_pages(audit: Audit, enrollment: Enrollment) -> None:
    """Transfer: the classes offered, a class that filled meanwhile (its reason, 409), then
    the confirm page of a held seat."""
    page = audit.page
    url = f"/demo/account/enrollments/{enrollment.pk}/transfer/"
    visit(audit, url)
    option = page.get_by_test_id("transfer-option").filter(has=page.locator("form")).first
    course_id = int(option.locator("input[name=course]").get_attribute("value"))
    capacity = Course.objects.get(pk=course_id).capacity
    Course.objects.filter(pk=course_id).update(capacity=0)  # full before the family chooses
    option.get_by_role("button").click()
    expect(page.get_by_test_id("transfer-refusal")).to_be_visible()
    audit.check("a full class")
    Course.objects.filter(pk=course_id).update(capacity=capacity)
    visit(audit, url)
    page.locator(f"main form:has(input[name=course][value='{course_id}']) button").click()
    expect(page).to_have_url(re.compile(r"/demo/account/transfers/\d+/$"))
    expect(page.get_by_test_id("transfer-confirm")).to_be_visible()
    audit.check()


def cancel_pages(audit: Audit, org, family: Family) -> None:
    """Cancel a camp day and a party from My Account: the refund shown, then cancelled."""
    page = audit.page
    now = timezone.now()
    student = Student.objects.filter(family=family).order_by("pk").first()
    day = EventDay.objects.filter(event__organization=org, date__gt=now.date()).order_by("date")[0]
    registration = EventRegistration.objects.filter(
        student=student, event_day=day, status="active"
    ).first() or EventRegistration.objects.create(
        organization=org, student=student, event_day=day, created_at=now
    )
    slot = PartySlot.objects.filter(organization=org, starts_at__gt=now).order_by("starts_at")[0]
    booking = PartyBooking.objects.create(
        organization=org,
        family=family,
        slot=slot,
        package=PartyPackage.objects.filter(organization=org).order_by("pk").first(),
        guest_count=8,
        guest_of_honour_name=student.first_name,
        created_at=now,
    )
    visit(audit, f"/demo/account/camps/{registration.pk}/cancel/")
    expect(page.get_by_test_id("cancel-consequence")).to_be_visible()
    visit(audit, f"/demo/account/parties/{booking.pk}/cancel/")
    page.get_by_test_id("cancel-confirm").click()
    expect(page).to_have_url(re.compile(r"/demo/account/$"))
    audit.check("party cancelled")


def family_change_pages(audit: Audit, org) -> None:
    """Logged in still: the calendar link, absences and makeups, a transfer, cancellations."""
    family = Family.objects.get(organization=org, guardians__user__email=DEMO_FAMILY.email)
    enrollment = (
        Enrollment.objects.filter(student__family=family, status=EnrollmentStatus.ACTIVE)
        .order_by("pk")
        .first()
    )
    calendar_pages(audit)
    attendance_pages(audit, enrollment)
    transfer_pages(audit, enrollment)
    cancel_pages(audit, org, family)


def test_every_portal_page_meets_wcag_22_aa(audit):
    data.load(now=timezone.now())
    mail.outbox.clear()
    from springboard.tenancy.models import Organization

    org = Organization.objects.get(account_name="demo")
    visitor_pages(audit, org)
    sign_up_pages(audit)
    family_pages(audit, org)
    checkout_pages(audit, org)
    family_change_pages(audit, org)

    missing = portal_url_names() - audit.covered - NOT_PAGES.keys()
    assert not missing, f"portal pages no accessibility test reads: {sorted(missing)}"
    assert not NOT_PAGES.keys() & audit.covered, "a page listed in NOT_PAGES was read"
    assert not audit.findings, "axe (WCAG 2.2 A/AA) found:\n" + audit.report()


def test_not_pages_are_portal_url_names():
    assert NOT_PAGES.keys() <= portal_url_names()
