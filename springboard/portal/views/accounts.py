"""Register/Login, sign-up with an emailed code, the first student, logging out, and one login
across organizations ("Create your family here", Switch organizations)."""

import math

from django.conf import settings as django_settings
from django.contrib.auth import authenticate, login, logout
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from springboard.core.clock import local_today
from springboard.families import ratelimits, throttle
from springboard.families.backends import BACKEND
from springboard.families.codes import CodeError
from springboard.families.services import (
    AccountError,
    add_student,
    confirm_email,
    create_account,
    create_family_here,
    family_for,
    organizations_of,
    prefill_for,
    send_signup_code,
)
from springboard.portal.account_forms import (
    ConfirmCodeForm,
    FamilyDetailsForm,
    LoginForm,
    RegisterForm,
    StudentForm,
)
from springboard.portal.views.family_access import (
    client_ip,
    family_required,
    portal_url,
    safe_next,
    with_next,
)

SIGNUP_EMAIL_KEY = "signup-email"


def too_many_requests(request, seconds: int):
    """A rate-limited request (families/ratelimits.py): 429 in the portal's look, nothing done."""
    minutes = max(1, math.ceil(seconds / 60))
    return render(request, "portal/accounts/too_many.html", {"minutes": minutes}, status=429)


def _after_login(request) -> HttpResponseRedirect:
    next_url = safe_next(request, "")
    # An invited guardian who already has a login takes up the invitation, not a new family.
    if request.family is None and not next_url.startswith(portal_url(request, "join_family")):
        return HttpResponseRedirect(
            with_next(portal_url(request, "create_family_here"), next_url or None)
        )
    return HttpResponseRedirect(next_url or portal_url(request, "dashboard"))


@require_http_methods(["GET", "POST"])
def login_view(request):
    """Asks "Are you a current customer?" first; Yes shows email + password."""
    if request.user.is_authenticated:
        return _after_login(request)
    settings = request.organization.portal_settings
    current = request.method == "POST" or request.GET.get("current") == "yes"
    form = LoginForm(request.POST or None)
    locked_message = None
    status = 200
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        ip = client_ip(request)
        now = request.now
        until = throttle.locked_until(email=email, ip=ip, now=now)
        if until is not None:
            minutes = max(1, math.ceil((until - now).total_seconds() / 60))
            locked_message = _(
                "Too many wrong passwords from here. For your safety, logging in with this "
                "email is paused for %(minutes)s more minutes (until %(time)s UTC). You can "
                "use Forgot Password now."
            ) % {"minutes": minutes, "time": time_format(until, "H:i")}
            status = 429
        else:
            # The backend counts the failure (or clears the pair's failures on success).
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is None:
                form.add_error(None, _("That email and password do not match a login."))
            else:
                login(request, user, backend=BACKEND)
                # Two weeks if asked (families log in before registration night), else the
                # session ends when the browser closes.
                keep = form.cleaned_data["keep_logged_in"]
                request.session.set_expiry(django_settings.KEEP_LOGGED_IN_SECONDS if keep else 0)
                request.family = family_for(user, request.organization)
                return _after_login(request)
    return render(
        request,
        "portal/accounts/login.html",
        {
            "form": form,
            "current": current,
            "may_register": settings.visitors_may_create_accounts,
            "locked_message": locked_message,
            "next": safe_next(request, ""),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return _after_login(request)
    organization = request.organization
    if not organization.portal_settings.visitors_may_create_accounts:
        return render(request, "portal/accounts/register_closed.html", status=403)
    form = RegisterForm(request.POST or None, organization=organization)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        wait = ratelimits.wait_seconds(request, "signup", now=request.now, email=data["email"])
        if wait is not None:
            return too_many_requests(request, wait)
        try:
            create_account(organization=organization, now=request.now, **data)
        except AccountError as error:
            form.add_error(None, str(error))
        else:
            # The same next page whether or not the email already had a login.
            request.session[SIGNUP_EMAIL_KEY] = data["email"]
            return HttpResponseRedirect(portal_url(request, "confirm_email"))
    return render(request, "portal/accounts/register.html", {"form": form})


@require_http_methods(["GET", "POST"])
def confirm_email_view(request):
    email = request.session.get(SIGNUP_EMAIL_KEY)
    family = request.family
    if email is None and family is not None:
        if family.can_book:
            return HttpResponseRedirect(portal_url(request, "dashboard"))
        email = request.user.email
    if email is None:
        return HttpResponseRedirect(portal_url(request, "register"))
    form = ConfirmCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = confirm_email(email=email, code=form.cleaned_data["code"], now=request.now)
        except CodeError as error:
            form.add_error("code", str(error))
        else:
            request.session.pop(SIGNUP_EMAIL_KEY, None)
            if not request.user.is_authenticated or request.user.pk != user.pk:
                login(request, user, backend=BACKEND)
            return HttpResponseRedirect(portal_url(request, "signup_student"))
    return render(request, "portal/accounts/confirm_email.html", {"form": form, "email": email})


@require_POST
def resend_code(request):
    email = request.session.get(SIGNUP_EMAIL_KEY)
    if email is None and request.user.is_authenticated:
        email = request.user.email
    if email:
        wait = ratelimits.wait_seconds(request, "resend", now=request.now, email=email)
        if wait is not None:
            return too_many_requests(request, wait)
        send_signup_code(organization=request.organization, email=email, now=request.now)
    return HttpResponseRedirect(portal_url(request, "confirm_email") + "?sent=1")


@require_http_methods(["GET", "POST"])
@family_required
def signup_student(request):
    """ "Add a student" right after sign-up (more can follow); open during the policy gate."""
    family = request.family
    form = StudentForm(request.POST or None, today=local_today(request.now))
    if request.method == "POST" and form.is_valid():
        try:
            add_student(family=family, now=request.now, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.POST.get("another"):
                return HttpResponseRedirect(portal_url(request, "signup_student") + "?added=1")
            return HttpResponseRedirect(portal_url(request, "dashboard"))
    return render(
        request,
        "portal/accounts/signup_student.html",
        {
            "form": form,
            "students": list(family.students.all()),
            "added": request.GET.get("added") == "1",
        },
    )


@require_POST
def logout_view(request):
    logout(request)
    return HttpResponseRedirect(portal_url(request, "dashboard"))


@require_http_methods(["GET", "POST"])
def create_family_here_view(request):
    """A login with no family in this organization makes one here, pre-filled."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(with_next(portal_url(request, "login"), safe_next(request, "")))
    if request.family is not None:
        return HttpResponseRedirect(safe_next(request))
    organization = request.organization
    form = FamilyDetailsForm(
        request.POST or None, organization=organization, initial=prefill_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            create_family_here(
                organization=organization,
                user=request.user,
                now=request.now,
                **form.cleaned_data,
            )
        except AccountError as error:
            form.add_error(None, str(error))
        else:
            return HttpResponseRedirect(portal_url(request, "signup_student"))
    return render(
        request,
        "portal/accounts/create_family_here.html",
        {"form": form, "next": safe_next(request, "")},
    )


@require_GET
def switch_organizations(request):
    if not request.user.is_authenticated:
        return HttpResponseRedirect(
            with_next(portal_url(request, "login"), request.get_full_path())
        )
    others = [o for o in organizations_of(request.user) if o.pk != request.organization.pk]
    return render(request, "portal/accounts/switch_organizations.html", {"others": others})
