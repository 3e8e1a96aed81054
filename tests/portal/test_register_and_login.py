"""Register/Login: the question first, sign-up with an emailed code, duplicate emails, logging
in and out, and one login across organizations."""

import re

import pytest
from django.core import mail

from springboard.families.models import Family, Guardian, ReferralSource, Student, User
from tests import family_factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = {
    "first_name": "Ana",
    "last_name": "Rivera",
    "email": "Ana.Rivera@Example.com",
    "mobile_phone": "(217) 555-0147",
    "password": "swimming-lessons-42",
    "address_line1": "12 Elm Street",
    "city": "Springfield",
    "region": "IL",
    "postal_code": "62701",
}


def code_in(message) -> str:
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def sign_up(client, capture, data=None):
    with capture(execute=True):
        return client.post("/acme/register/", data or SIGNUP)


def test_login_first_asks_whether_you_are_a_current_customer(client, org):
    response = client.get("/acme/login/")
    assert b"Are you a current customer?" in response.content
    assert b'href="/acme/register/"' in response.content
    response = client.get("/acme/login/?current=yes")
    assert b'name="password"' in response.content


def test_no_create_account_when_the_organization_does_not_allow_it(client, org):
    org.portal_settings.visitors_may_create_accounts = False
    org.portal_settings.save()
    assert b'href="/acme/register/"' not in client.get("/acme/login/").content
    assert client.get("/acme/register/").status_code == 403
    assert client.post("/acme/register/", SIGNUP).status_code == 403
    assert not User.objects.exists()


def test_sign_up_sends_a_code_that_confirms_the_email(
    client, org, django_capture_on_commit_callbacks
):
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert response["Location"] == "/acme/register/confirm/"
    user = User.objects.get()
    assert user.email == "ana.rivera@example.com"
    family = Family.objects.get()
    assert family.name == "The Rivera Family"
    assert family.mobile_phone == "+12175550147"
    assert not family.can_book
    assert Guardian.objects.get().user == user
    (message,) = mail.outbox
    assert message.to == ["ana.rivera@example.com"]
    assert message.alternatives  # text and HTML
    code = code_in(message)
    assert code not in str(list(user.__class__.objects.values()))  # only its hash is stored

    page = client.get("/acme/register/confirm/")
    assert b"ana.rivera@example.com" in page.content
    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/acme/register/confirm/", {"code": wrong})
    assert response.status_code == 200
    assert b"wrong or has expired" in response.content
    response = client.post("/acme/register/confirm/", {"code": code})
    assert response["Location"] == "/acme/register/student/"
    family.refresh_from_db()
    assert family.can_book
    assert client.get("/acme/dashboard/").context["family"] == family  # logged in


def test_an_unconfirmed_family_can_log_in_and_look_around_but_not_book(client, org):
    family = family_factories.family(org, confirmed=False)
    client.post("/acme/login/", {"email": family.email, "password": PASSWORD})
    page = client.get("/acme/dashboard/")
    assert b"The Rivera Family" in page.content
    assert b"confirm your email first" in page.content


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("mobile_phone", "12", b"phone number"),
        ("mobile_phone", "(217) 555-01", b"phone number"),
        ("password", "short", b"too short"),
        ("password", "password1234", b"too common"),
        ("email", "not-an-email", b"valid email"),
        ("first_name", "", b"This field is required"),
        ("postal_code", "x" * 300, b"at most 20"),
    ],
)
def test_every_field_is_validated_beside_the_field(client, org, field, value, message):
    response = client.post("/acme/register/", {**SIGNUP, field: value})
    assert response.status_code == 200
    assert message in response.content
    assert f'id="id_{field}_error"'.encode() in response.content
    assert not User.objects.exists()


def test_a_huge_or_binary_body_is_refused_without_a_500(client, org):
    response = client.post(
        "/acme/register/", data=b"\x00\xff" * 2_000_000, content_type="application/octet-stream"
    )
    assert response.status_code in (200, 400, 413)
    assert not User.objects.exists()


def test_a_duplicate_email_sees_the_same_screen_and_gets_told_to_log_in(
    client, org, django_capture_on_commit_callbacks
):
    family_factories.login("ana.rivera@example.com")
    fresh = sign_up(
        client, django_capture_on_commit_callbacks, {**SIGNUP, "email": "new@example.com"}
    )
    first_page = client.get("/acme/register/confirm/").content.replace(b"new@example.com", b"EMAIL")
    client.logout()
    duplicate = sign_up(client, django_capture_on_commit_callbacks)
    second_page = client.get("/acme/register/confirm/").content.replace(
        b"ana.rivera@example.com", b"EMAIL"
    )
    assert (duplicate.status_code, duplicate["Location"]) == (fresh.status_code, fresh["Location"])
    strip = re.compile(rb'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"')
    assert strip.sub(b"", first_page) == strip.sub(b"", second_page)
    assert User.objects.filter(email="ana.rivera@example.com").count() == 1
    assert not Family.objects.filter(email="ana.rivera@example.com").exists()
    told = mail.outbox[-1]
    assert told.to == ["ana.rivera@example.com"]
    assert "Forgot Password" in told.body


def test_referral_sources_are_asked_only_when_the_organization_has_some(client, org, other_org):
    assert b"How did you hear about us?" not in client.get("/acme/register/").content
    ReferralSource.objects.create(organization=org, name="A friend")
    rival = ReferralSource.objects.create(organization=other_org, name="Rival flyer")
    page = client.get("/acme/register/")
    assert b"How did you hear about us?" in page.content
    assert b"Rival flyer" not in page.content
    response = client.post("/acme/register/", {**SIGNUP, "referral_source": rival.pk})
    assert response.status_code == 200
    assert b'id="id_referral_source_error"' in response.content


def test_logging_in_and_out(client, org):
    family = family_factories.family(org)
    response = client.post("/acme/login/", {"email": family.email.upper(), "password": PASSWORD})
    assert response["Location"] == "/acme/dashboard/"
    page = client.get("/acme/dashboard/")
    assert b"Welcome back, The Rivera Family" in page.content
    assert b'data-testid="tile-login"' not in page.content
    assert b'data-testid="tile-create_account"' not in page.content
    assert b"Log out" in page.content
    response = client.post("/acme/logout/")
    assert response["Location"] == "/acme/dashboard/"
    assert b"Welcome back" not in client.get("/acme/dashboard/").content


def test_a_wrong_password_says_so_beside_the_form(client, org):
    family = family_factories.family(org)
    response = client.post("/acme/login/", {"email": family.email, "password": "nope-nope-nope"})
    assert response.status_code == 200
    assert b"do not match a login" in response.content


def test_login_goes_to_a_safe_next_page_only(client, org):
    family = family_factories.family(org)
    data = {"email": family.email, "password": PASSWORD}
    response = client.post("/acme/login/", {**data, "next": "/acme/news/"})
    assert response["Location"] == "/acme/news/"
    client.logout()
    response = client.post("/acme/login/", {**data, "next": "https://evil.example/"})
    assert response["Location"] == "/acme/dashboard/"


def test_my_account_asks_a_visitor_to_log_in_first(client, org):
    response = client.get("/acme/account/")
    assert response["Location"] == "/acme/login/?next=%2Facme%2Faccount%2F"


def test_an_existing_login_creates_its_family_here_pre_filled(client, org, other_org):
    rival_family = family_factories.family(other_org, last_name="Chen", city="Riverton")
    user = rival_family.guardians.get().user
    response = client.post("/acme/login/", {"email": user.email, "password": PASSWORD})
    assert response["Location"] == "/acme/create-family/"
    page = client.get("/acme/create-family/")
    assert b"Create your family here" in page.content
    assert b'value="Riverton"' in page.content
    assert b'value="Chen"' in page.content
    response = client.post(
        "/acme/create-family/",
        {
            "first_name": "Mei",
            "last_name": "Chen",
            "mobile_phone": "+12175550147",
            "address_line1": "1 River Walk",
            "city": "Riverton",
            "postal_code": "08077",
        },
    )
    assert response["Location"] == "/acme/register/student/"
    assert User.objects.count() == 1  # never a second login
    acme_family = Family.objects.for_organization(org).get()
    assert acme_family.name == "The Chen Family"
    assert acme_family.can_book  # the login's email was confirmed already
    # Register/Login while logged in never makes a second login either.
    assert client.get("/acme/register/")["Location"] == "/acme/dashboard/"


def test_switch_organizations_lists_the_logins_other_families(client, org, other_org):
    family = family_factories.family(org)
    user = family.guardians.get().user
    family_factories.family(other_org, user=user, last_name="Rivera")
    client.force_login(user)
    page = client.get("/acme/switch/")
    assert b"Rival Swim" in page.content
    assert b'href="/rival/dashboard/"' in page.content
    assert b"Acme Gymnastics</a>" not in page.content
    # The menu offers it, and switching keeps the login.
    assert b'href="/acme/switch/"' in client.get("/acme/dashboard/").content
    assert b"Welcome back, The Rivera Family" in client.get("/rival/dashboard/").content


def test_add_a_student_after_sign_up_explains_another_gender(client, org):
    family = family_factories.family(org)
    client.force_login(family.guardians.get().user)
    page = client.get("/acme/register/student/")
    assert b"Another" in page.content
    assert b"only for girls or only for boys" in page.content
    response = client.post(
        "/acme/register/student/",
        {
            "first_name": "Leo",
            "last_name": "Rivera",
            "birth_date": "2019-02-03",
            "gender": "other",
            "another": "1",
        },
    )
    assert response["Location"] == "/acme/register/student/?added=1"
    assert Student.objects.get().gender == "other"


@pytest.mark.parametrize(
    ("birth_date", "gender", "message"),
    [
        ("2999-01-01", "female", b"cannot be in the future"),
        ("not-a-date", "female", b"Enter a valid date"),
        ("2019-01-01", "robot", b"Select a valid choice"),
    ],
)
def test_a_bad_student_is_refused_beside_the_field(client, org, birth_date, gender, message):
    family = family_factories.family(org)
    client.force_login(family.guardians.get().user)
    response = client.post(
        "/acme/register/student/",
        {"first_name": "Leo", "last_name": "Rivera", "birth_date": birth_date, "gender": gender},
    )
    assert response.status_code == 200
    assert message in response.content
    assert not Student.objects.exists()


def test_names_with_script_tags_are_escaped(client, org):
    family = family_factories.family(org, last_name="<script>alert(1)</script>")
    family_factories.student(family, first_name="<script>x</script>")
    client.force_login(family.guardians.get().user)
    for url in ("/acme/dashboard/", "/acme/account/"):
        content = client.get(url).content
        assert b"<script>alert(1)" not in content
        assert b"<script>x" not in content
        assert b"&lt;script&gt;" in content


def test_a_new_code_can_be_sent_and_only_the_new_one_confirms(
    client, org, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    first = code_in(mail.outbox[-1])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/acme/register/confirm/resend/")
    second = code_in(mail.outbox[-1])
    assert len(mail.outbox) == 2
    if first != second:
        assert (
            b"wrong or has expired"
            in client.post("/acme/register/confirm/", {"code": first}).content
        )
    assert client.post("/acme/register/confirm/", {"code": second}).status_code == 302


def test_a_duplicate_sign_up_cannot_confirm_or_log_in(
    client, org, django_capture_on_commit_callbacks, monkeypatch
):
    family_factories.family(org, user=family_factories.login("ana.rivera@example.com"))
    monkeypatch.setattr("springboard.families.codes.code_for", lambda record: "424242")
    sign_up(client, django_capture_on_commit_callbacks)
    # Even someone who guessed the code gets nowhere: it belongs to no login.
    response = client.post("/acme/register/confirm/", {"code": "424242"})
    assert b"wrong or has expired" in response.content
    assert response.context["user"].is_anonymous
    # ...and the "you already have a login" email is limited like codes: 3 an hour.
    for _ in range(4):
        sign_up(client, django_capture_on_commit_callbacks)
    assert len([m for m in mail.outbox if m.to == ["ana.rivera@example.com"]]) == 3


def test_the_dashboard_offers_a_family_here_to_a_login_without_one(client, org, other_org):
    family = family_factories.family(other_org)
    client.force_login(family.guardians.get().user)
    page = client.get("/acme/dashboard/")
    assert b'data-testid="create-family-notice"' in page.content
    assert b'href="/acme/create-family/"' in page.content


def test_a_family_that_left_before_confirming_confirms_later(
    client, org, django_capture_on_commit_callbacks
):
    family = family_factories.family(org, confirmed=False)
    client.post("/acme/login/", {"email": family.email, "password": PASSWORD})
    assert b"Enter your code" in client.get("/acme/dashboard/").content
    assert client.get("/acme/register/confirm/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/acme/register/confirm/resend/")
    response = client.post("/acme/register/confirm/", {"code": code_in(mail.outbox[-1])})
    assert response.status_code == 302
    family.refresh_from_db()
    assert family.can_book
    assert client.get("/acme/register/confirm/")["Location"] == "/acme/dashboard/"
