"""My Account: contact information, email change by code, students, guardians (with an
invitation to their own login), emergency contacts. Every id is looked up through the family,
so another family's or organization's id is a 404."""

from django.contrib.auth import get_user_model, login, update_session_auth_hash
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from springboard.attendance.rules import offered as attendance_offered
from springboard.booking import waitlist
from springboard.core.clock import local_today
from springboard.families import ratelimits
from springboard.families.backends import BACKEND
from springboard.families.calendar_feeds import feed_of, token_for
from springboard.families.codes import CodeError
from springboard.families.mail import INVITE_SALT
from springboard.families.models import EmergencyContact, Guardian, Student
from springboard.families.passwords import (
    EmailChangeError,
    change_password,
    confirm_email_change,
    request_email_change,
)
from springboard.families.services import (
    add_emergency_contact,
    add_guardian,
    add_student,
    update_contact,
    update_student,
)
from springboard.portal.account_forms import (
    ConfirmCodeForm,
    ContactForm,
    EmailChangeForm,
    EmergencyContactForm,
    GuardianForm,
    JoinFamilyForm,
    PasswordChangeForm,
    StudentForm,
)
from springboard.portal.money_context import changes_of, enrollments_by_student
from springboard.portal.views.accounts import too_many_requests
from springboard.portal.views.family_access import (
    client_ip,
    family_required,
    portal_url,
    with_next,
)
from springboard.shop.models import Purchase
from springboard.tuition.cancellations import cancellable

NEW_EMAIL_KEY = "new-email"
INVITE_MAX_AGE = 7 * 24 * 3600


def _form_page(request, form, title, *, intro: str = ""):
    """The one page every My Account form uses: a title, the form, errors beside fields."""
    context = {"form": form, "title": title, "intro": intro}
    return render(request, "portal/accounts/form_page.html", context)


def _account(request) -> HttpResponseRedirect:
    return HttpResponseRedirect(portal_url(request, "account"))


def _calendar_urls(request, family) -> dict[str, str] | None:
    feed = feed_of(family)
    if feed is None:
        return None
    url = request.build_absolute_uri(portal_url(request, "calendar_feed", token_for(feed)))
    return {"https": url, "webcal": "webcal://" + url.split("://", 1)[1]}


@require_GET
@family_required
def account(request):
    family = request.family
    return render(
        request,
        "portal/accounts/account.html",
        {
            "guardians": list(family.guardians.all()),
            "students": list(family.students.all()),
            "contacts": list(family.emergency_contacts.all()),
            "waitlist": list(waitlist.entries_of(family, request.now)),
            "enrollments": enrollments_by_student(family, today=local_today(request.now)),
            "changes": changes_of(family),
            "bookings": cancellable(family, now=request.now),
            "attendance": attendance_offered(request.organization),  # absences, makeups
            "calendar": _calendar_urls(request, family),
            "purchases": list(
                Purchase.objects.for_organization(request.organization)
                .filter(family=family)
                .select_related("variant__product", "location")[:20]
            ),
        },
    )


@require_http_methods(["GET", "POST"])
@family_required
def edit_contact(request):
    form = ContactForm(request.POST or None, instance=request.family)
    if request.method == "POST" and form.is_valid():
        update_contact(family=request.family, **form.cleaned_data)
        return _account(request)
    return _form_page(request, form, _("Contact information"))


@require_http_methods(["GET", "POST"])
@family_required
def change_email(request):
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        wait = ratelimits.wait_seconds(
            request, "code", now=request.now, email=form.cleaned_data["new_email"]
        )
        if wait is not None:
            return too_many_requests(request, wait)
        try:
            request_email_change(
                organization=request.organization,
                user=request.user,
                password=form.cleaned_data["password"],
                new_email=form.cleaned_data["new_email"],
                now=request.now,
                ip=client_ip(request),
            )
        except EmailChangeError as error:
            form.add_error(None, str(error))
        else:
            request.session[NEW_EMAIL_KEY] = form.cleaned_data["new_email"]
            return HttpResponseRedirect(portal_url(request, "confirm_new_email"))
    return _form_page(request, form, _("Change your email"))


@require_http_methods(["GET", "POST"])
@family_required
def confirm_new_email(request):
    new_email = request.session.get(NEW_EMAIL_KEY)
    if not new_email:
        return HttpResponseRedirect(portal_url(request, "change_email"))
    form = ConfirmCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = confirm_email_change(
                organization=request.organization,
                user=request.user,
                new_email=new_email,
                code=form.cleaned_data["code"],
                now=request.now,
            )
        except CodeError as error:
            form.add_error("code", str(error))
        else:
            request.session.pop(NEW_EMAIL_KEY, None)
            update_session_auth_hash(request, user)  # other sessions end; this one stays
            return _account(request)
    return _form_page(
        request,
        form,
        _("Confirm your new email"),
        intro=_("We sent a 6-digit code to %(email)s.") % {"email": new_email},
    )


@require_http_methods(["GET", "POST"])
@family_required
def password_change(request):
    """A logged-in family's new password: other sessions end, this one stays."""
    form = PasswordChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = change_password(
                organization=request.organization,
                user=request.user,
                current_password=form.cleaned_data["current_password"],
                new_password=form.cleaned_data["password"],
                ip=client_ip(request),
                now=request.now,
            )
        except EmailChangeError as error:
            form.add_error("current_password", str(error))
        else:
            update_session_auth_hash(request, user)
            return HttpResponseRedirect(portal_url(request, "account") + "?password=changed")
    return _form_page(request, form, _("Change your password"))


def _student_page(request, form, title):
    return render(request, "portal/accounts/student_form.html", {"form": form, "title": title})


@require_http_methods(["GET", "POST"])
@family_required
def student_add(request):
    form = StudentForm(request.POST or None, today=local_today(request.now))
    if request.method == "POST" and form.is_valid():
        try:
            add_student(family=request.family, now=request.now, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _account(request)
    return _student_page(request, form, _("Add a student"))


@require_http_methods(["GET", "POST"])
@family_required
def student_edit(request, student_id: int):
    student = get_object_or_404(
        Student.objects.for_organization(request.organization).filter(family=request.family),
        pk=student_id,
    )
    form = StudentForm(request.POST or None, instance=student, today=local_today(request.now))
    if request.method == "POST" and form.is_valid():
        try:
            update_student(student=student, now=request.now, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return _account(request)
    return _student_page(request, form, _("Update %(name)s") % {"name": student.full_name})


@require_http_methods(["GET", "POST"])
@family_required
def guardian_add(request):
    form = GuardianForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        invite = data.pop("invite")
        if invite and data.get("email"):
            wait = ratelimits.wait_seconds(request, "invite", now=request.now, email=data["email"])
            if wait is not None:
                return too_many_requests(request, wait)
        join_url = request.build_absolute_uri(portal_url(request, "join_family"))
        add_guardian(family=request.family, join_url=join_url if invite else None, **data)
        return _account(request)
    return _form_page(request, form, _("Add a guardian"))


@require_http_methods(["GET", "POST"])
@family_required
def guardian_edit(request, guardian_id: int):
    guardian = get_object_or_404(
        Guardian.objects.for_organization(request.organization).filter(family=request.family),
        pk=guardian_id,
    )
    form = GuardianForm(request.POST or None, instance=guardian)
    del form.fields["invite"]
    if guardian.user_id:
        del form.fields["email"]  # a login's email changes through "Change your email"
    if request.method == "POST" and form.is_valid():
        form.save()
        return _account(request)
    return _form_page(request, form, _("Update %(name)s") % {"name": guardian.full_name})


@require_http_methods(["GET", "POST"])
@family_required
def emergency_contact_add(request):
    form = EmergencyContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        add_emergency_contact(family=request.family, **form.cleaned_data)
        return _account(request)
    return _form_page(request, form, _("Add an emergency contact"))


@require_http_methods(["GET", "POST"])
@family_required
def emergency_contact_edit(request, contact_id: int):
    contact = get_object_or_404(
        EmergencyContact.objects.for_organization(request.organization).filter(
            family=request.family
        ),
        pk=contact_id,
    )
    form = EmergencyContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        form.save()
        return _account(request)
    return _form_page(request, form, _("Update %(name)s") % {"name": contact.name})


@require_http_methods(["GET", "POST"])
def join_family(request):
    """An invited guardian takes up their place in the family with their own login."""
    token = request.GET.get("token", "")[:500]
    try:
        data = signing.loads(token, salt=INVITE_SALT, max_age=INVITE_MAX_AGE)  # families.mail
        guardian = Guardian.objects.for_organization(request.organization).get(
            pk=int(data["g"]), email=str(data["e"]), user__isnull=True
        )
    except (signing.BadSignature, Guardian.DoesNotExist, KeyError, TypeError, ValueError):
        return render(request, "portal/accounts/join_invalid.html", status=404)
    User = get_user_model()
    here = request.get_full_path()
    if request.user.is_authenticated:
        if request.user.email != guardian.email or request.family is not None:
            return render(request, "portal/accounts/join_invalid.html", status=403)
        if request.method != "POST":
            # A link opened (or prefetched) changes nothing: the family confirms with a button.
            return render(request, "portal/accounts/join_confirm.html", {"guardian": guardian})
        with transaction.atomic():
            guardian.user = request.user
            guardian.save(update_fields=["user"])
        return HttpResponseRedirect(portal_url(request, "dashboard"))
    if User.objects.filter(email=guardian.email).exists():
        return HttpResponseRedirect(with_next(portal_url(request, "login") + "?current=yes", here))
    form = JoinFamilyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    guardian.email,
                    form.cleaned_data["password"],
                    first_name=guardian.first_name,
                    last_name=guardian.last_name,
                )
                guardian.user = user
                guardian.save(update_fields=["user"])
        except IntegrityError:
            return render(request, "portal/accounts/join_invalid.html", status=409)
        login(request, user, backend=BACKEND)
        return HttpResponseRedirect(portal_url(request, "dashboard"))
    return render(request, "portal/accounts/join.html", {"form": form, "guardian": guardian})
