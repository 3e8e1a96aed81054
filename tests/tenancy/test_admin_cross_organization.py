"""Staff of one organization never see another organization's rows through the admin's forms.

Every registered admin's add form is asked for the other organization's ids as GET initial
values (`?student=<id>`) and as a POST; every change form gets the same POST. The answer never
names the other organization's row: a form error, a 403 or a 404, nothing saved. The
autocomplete endpoint answers with the staff member's own rows only.
"""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory
from django.utils import timezone
from django.utils.html import escape

from springboard.booking.models import WaitlistEntry
from springboard.catalog.models import Level, PartyAddOn
from springboard.families.models import ReferralSource
from springboard.tenancy.admin_scoping import organization_path
from springboard.tenancy.models import Organization, StaffRole
from tests import factories
from tests import family_factories as ff
from tests.billing import factories as bf
from tests.catalog import factories as cf

pytestmark = pytest.mark.django_db


def build_world(org, tag: str, day: date, amount: str) -> None:
    """One row of every model an admin form points at, named with `tag`."""
    program = cf.program(org, name=f"{tag} Program")
    level = Level.objects.create(organization=org, name=f"{tag} Level")
    term = cf.term(org, name=f"{tag} Term")
    coach = factories.staff_profile(org, name=f"{tag} Coach")
    course = cf.course(org, name=f"{tag} Course", term=term, program=program, level=level)
    course.instructors.add(coach)
    cf.event(org, days=(day,), name=f"{tag} Camp")
    package = cf.party_package(org, name=f"{tag} Party")
    PartyAddOn.objects.create(package=package, name=f"{tag} Balloons", price=Decimal("5.00"))
    cf.party_slot(org, datetime.combine(day, time(13), tzinfo=cf.CHICAGO), packages=[package])
    ReferralSource.objects.create(organization=org, name=f"{tag} Flyer")
    family = ff.family(org, last_name=tag)
    student = ff.student(family, first_name=f"{tag}kid", last_name=tag)
    WaitlistEntry.objects.create(
        organization=org, family=family, student=student, course=course, joined_at=timezone.now()
    )
    bf.charge(family, amount=amount, description=f"{tag} fee")
    bf.payment(family, amount=amount)


@pytest.fixture
def worlds(org, other_org):
    build_world(org, "Acme", date(2027, 3, 15), "111.11")
    build_world(other_org, "Zebra", date(2027, 5, 20), "987.65")


@pytest.fixture
def acme_owner(org):
    return factories.staff_user(org, StaffRole.OWNER)


def _relation_fields(model_admin, user) -> dict[str, type]:
    request = RequestFactory().get("/admin/")
    request.user = user
    form = model_admin.get_form(request)
    return {
        name: field.queryset.model
        for name, field in form.base_fields.items()
        if isinstance(field, forms.ModelChoiceField)
    }


def _other_row(model, other_org):
    if model is Organization:
        return other_org
    path = organization_path(model)
    if path is None:
        return None
    return model._base_manager.filter(**{path: other_org}).first()


def _own_row(model, org):
    if model is Organization:
        return org
    if organization_path(model) != "organization":
        return None
    return model._base_manager.filter(organization=org).first()


def _admin_forms():
    return sorted(admin.site._registry.items(), key=lambda pair: pair[0]._meta.label)


def _assert_names_nothing_of(response, rival, other_org):
    body = response.content.decode()
    assert escape(str(rival)) not in body, f"{response.request['PATH_INFO']} named {rival}"
    assert other_org.name not in body


def test_no_admin_form_names_another_organizations_row_asked_for_by_id(
    client, org, other_org, worlds, acme_owner
):
    client.force_login(acme_owner)
    asked = []
    for model, model_admin in _admin_forms():
        opts = model._meta
        rivals = {}
        for name, related in _relation_fields(model_admin, acme_owner).items():
            rival = _other_row(related, other_org)
            if rival is not None:
                rivals[name] = rival
                asked.append(f"{opts.label}.{name}")
        if not rivals:
            continue
        ids = {name: rival.pk for name, rival in rivals.items()}
        add_url = f"/admin/{opts.app_label}/{opts.model_name}/add/"
        before = model._base_manager.count()

        response = client.get(add_url, ids)
        assert response.status_code in (200, 403), (add_url, response.status_code)
        for rival in rivals.values():
            _assert_names_nothing_of(response, rival, other_org)

        response = client.post(add_url, {"organization": org.pk, **ids})
        assert response.status_code in (200, 403), (add_url, response.status_code)
        for name, rival in rivals.items():
            _assert_names_nothing_of(response, rival, other_org)
            if response.status_code == 200 and name != "organization":
                assert name in response.context["adminform"].form.errors, (add_url, name)
        assert model._base_manager.count() == before

        own = _own_row(model, org)
        if own is None:
            continue
        change_url = f"/admin/{opts.app_label}/{opts.model_name}/{own.pk}/change/"
        response = client.post(change_url, {"organization": org.pk, **ids})
        assert response.status_code in (200, 403, 404), (change_url, response.status_code)
        own.refresh_from_db()
        for name, rival in rivals.items():
            _assert_names_nothing_of(response, rival, other_org)
            field = opts.get_field(name)
            if field.many_to_many:
                assert rival not in getattr(own, name).all(), (change_url, name)
            else:
                assert getattr(own, field.attname) != rival.pk, (change_url, name)
    # The walk reached the forms that used to leak (raw-id labels, GET initial values).
    assert {
        "booking.Enrollment.student",
        "booking.EventRegistration.event_day",
        "billing.Allocation.payment",
        "billing.Refund.payment",
        "booking.CartItem.waitlist_entry",
    } <= set(asked)


def test_an_add_form_with_another_organizations_student_in_the_url_shows_no_name(
    client, org, other_org, worlds, acme_owner
):
    rival = other_org.student_set.get()
    client.force_login(acme_owner)
    response = client.get("/admin/booking/enrollment/add/", {"student": rival.pk})
    assert response.status_code == 200
    assert "Zebrakid" not in response.content.decode()


def test_autocompletes_offer_only_the_staff_members_own_rows(
    client, org, other_org, worlds, acme_owner
):
    client.force_login(acme_owner)
    checked = []
    for model, model_admin in _admin_forms():
        for name in model_admin.get_autocomplete_fields(None):
            response = client.get(
                "/admin/autocomplete/",
                {
                    "app_label": model._meta.app_label,
                    "model_name": model._meta.model_name,
                    "field_name": name,
                    "term": "",
                },
            )
            assert response.status_code == 200, (model, name)
            related = model._meta.get_field(name).related_model
            ids = {int(row["id"]) for row in response.json()["results"]}
            path = organization_path(related)
            assert ids, (model, name)
            assert not related._base_manager.filter(pk__in=ids).exclude(**{path: org}).exists()
            checked.append(f"{model._meta.label}.{name}")
    assert "booking.Enrollment.student" in checked
    assert "billing.Charge.family" in checked
