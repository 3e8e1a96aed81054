"""A Spanish-speaking family uses the whole portal in Spanish (docs/i18n.md): pages follow the
browser (Accept-Language) or the MENU's switch, the switch is remembered (cookie) and stored on
the family, emails go out in the family's language, staff content falls back to English, and
an unknown language is English."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from springboard.booking import mail as booking_mail
from springboard.booking.models import WaitlistEntry, WaitlistStatus
from springboard.checkout.models import Order
from springboard.content.models import NewsItem
from springboard.core.i18n import site_text
from springboard.families.models import Family
from tests import factories
from tests.catalog import factories as catalog
from tests.checkout.helpers import pay_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
ES = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9"}
# Words of the chrome and the booking path a Spanish page must not show in English.
ENGLISH = ["My Account", "Log out", "Add to cart", "Checkout", "Skip to content", "Your cart"]


def _page(client, url, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def _no_english(html: str) -> None:
    found = [words for words in ENGLISH if words in html]
    assert found == []


def test_a_spanish_browser_sees_the_portal_in_spanish(logged_in, org):
    course = catalog.course(org, name="Tumbling", tuition=Decimal("100.00"))
    for url, words in [
        ("/acme/dashboard/", "Mi cuenta"),
        ("/acme/booking/classes/", "Clases"),
        (f"/acme/booking/classes/{course.pk}/", "Inscribir"),
        ("/acme/cart/", "Su carrito está vacío."),
        ("/acme/account/", "Cuenta e información de contacto"),
    ]:
        html = _page(logged_in, url, **ES)
        assert '<html lang="es">' in html, url
        assert words in html, url
        _no_english(html)


def test_checkout_and_the_receipt_are_in_spanish(
    logged_in, org, family, django_capture_on_commit_callbacks
):
    course = catalog.course(org, name="Tumbling", tuition=Decimal("100.00"))
    logged_in.post("/acme/language/", {"language": "es", "next": "/acme/cart/"})
    logged_in.post("/acme/cart/add/class/", {"course": course.pk, "student": [family[1].pk]})
    cart = _page(logged_in, "/acme/cart/")
    assert "Pagar" in cart and "Reservado por" in cart
    logged_in.post("/acme/cart/checkout/start/")
    checkout = _page(logged_in, "/acme/cart/checkout/")
    assert "Lo que está comprando" in checkout and "Número de tarjeta" in checkout
    _no_english(checkout)
    order = Order.objects.latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post("/acme/cart/checkout/", pay_data(org, order))
    assert response.status_code == 302
    receipt = mail.outbox[-1]
    assert receipt.subject.startswith("Su recibo de")
    assert "Gracias" in receipt.body
    assert "$100.00" in receipt.body  # the organization's currency, as Spanish (US) writes it


def test_error_pages_are_in_spanish(client, org):
    html = client.get("/acme/no-such-page/", **ES).content.decode()
    assert "Página no encontrada" in html and '<html lang="es">' in html
    assert client.get("/no-such-account/", **ES).status_code == 404


def test_a_stale_form_csrf_page_is_in_spanish(org):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/acme/language/", {"language": "es"}, **ES)
    html = response.content.decode()
    assert response.status_code == 403
    assert "Este formulario ha caducado" in html and '<html lang="es">' in html


def test_an_unknown_language_is_english(client, org):
    html = _page(client, "/acme/dashboard/", HTTP_ACCEPT_LANGUAGE="tlh, xx-YY")
    assert '<html lang="en">' in html and "Skip to content" in html
    response = client.post("/acme/language/", {"language": "klingon", "next": "/acme/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert '<html lang="en">' in _page(client, "/acme/dashboard/", **ES)


def test_the_switch_is_remembered_and_stored_on_the_family(logged_in, family):
    response = logged_in.post("/acme/language/", {"language": "es", "next": "/acme/account/"})
    assert response.status_code == 302 and response["Location"] == "/acme/account/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] >= 300 * 24 * 3600
    assert Family.objects.get(pk=family[0].pk).language == "es"
    # The cookie wins over an English browser from now on.
    html = _page(logged_in, "/acme/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="es">' in html and "Mi cuenta" in html
    # Back to English, and the switch never sends a visitor off the site.
    response = logged_in.post("/acme/language/", {"language": "en", "next": "https://evil.test/"})
    assert response["Location"] == "/acme/dashboard/"
    assert Family.objects.get(pk=family[0].pk).language == "en"


def test_a_new_device_of_a_spanish_family_speaks_spanish(client, family):
    Family.objects.filter(pk=family[0].pk).update(language="es")
    client.force_login(family[0].guardians.get().user)
    html = _page(client, "/acme/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="es">' in html


def test_a_spanish_familys_email_is_spanish_whoever_triggers_it(
    org, family, django_capture_on_commit_callbacks
):
    fam, student = family
    Family.objects.filter(pk=fam.pk).update(language="es")
    course = catalog.course(org, name="Tumbling", capacity=1)
    now = timezone.now()
    entry = WaitlistEntry.objects.create(
        organization=org,
        family=Family.objects.get(pk=fam.pk),
        student=student,
        course=course,
        status=WaitlistStatus.OFFERED,
        joined_at=now,
        offered_at=now,
        offer_expires_at=now + timedelta(hours=24),
    )
    # An English visitor's request (another family dropping, say) frees the seat.
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        booking_mail.send_offer(entry)
    offer = mail.outbox[-1]
    assert offer.subject == "Hay un lugar libre en Tumbling"
    assert "Buenas noticias" in offer.body


def test_staff_content_has_a_spanish_version_and_falls_back_to_english(client, org):
    factories.news_item(org, title="Open gym Friday", title_es="Gimnasio libre el viernes")
    factories.news_item(org, title="Holiday hours")  # no Spanish version: English is shown
    html = _page(client, "/acme/news/", **ES)
    assert "Gimnasio libre el viernes" in html and "Open gym Friday" not in html
    assert "Holiday hours" in html
    assert "Open gym Friday" in _page(client, "/acme/news/", HTTP_ACCEPT_LANGUAGE="en")


def test_the_spanish_version_of_staff_html_is_sanitised_too(org):
    item = factories.news_item(org, title="News")
    item.body_html_es = '<p>Hola</p><script>alert("x")</script><img src=x onerror="alert(1)">'
    item.save()
    item.refresh_from_db()
    assert "<script" not in item.body_html_es and "onerror" not in item.body_html_es


def test_stored_text_is_in_the_main_language_whoever_writes_it():
    with translation.override("es"):
        assert site_text(translation.gettext_lazy("Class dropped by staff")) == (
            "Class dropped by staff"
        )
        assert translation.gettext("Class dropped by staff") == "Clase dada de baja por el personal"


def test_staff_write_both_versions_in_the_scoped_admin(client, org):
    client.force_login(factories.staff_user(org))
    form = client.get("/admin/content/newsitem/add/").content.decode()
    assert 'name="title_en"' in form and 'name="title_es"' in form
    response = client.post(
        "/admin/content/newsitem/add/",
        {
            "organization": org.pk,
            "title_en": "Open gym Friday",
            "title_es": "Gimnasio libre el viernes",
            "published_at_0": "2026-01-01",
            "published_at_1": "10:00",
            "body_html_es": "<p>Hola</p><script>alert(1)</script>",
        },
    )
    assert response.status_code == 302, response.content
    item = NewsItem.objects.get(title_en="Open gym Friday")
    assert item.title_es == "Gimnasio libre el viernes"
    assert item.body_html_es == "<p>Hola</p>"
