"""Forgot Password: email -> 6-digit code -> code + new password -> logged in.

Known and unknown emails get the same status and the same HTML at every step.
"""

from django.contrib.auth import login
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from springboard.families import ratelimits
from springboard.families.backends import BACKEND
from springboard.families.codes import CodeError
from springboard.families.passwords import request_password_reset, reset_password
from springboard.families.services import family_for
from springboard.portal.account_forms import ForgotPasswordForm, ResetPasswordForm
from springboard.portal.views.accounts import too_many_requests
from springboard.portal.views.family_access import portal_url

RESET_EMAIL_KEY = "reset-email"


@require_http_methods(["GET", "POST"])
def forgot_password(request):
    form = ForgotPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        wait = ratelimits.wait_seconds(request, "code", now=request.now, email=email)
        if wait is not None:
            return too_many_requests(request, wait)
        request_password_reset(organization=request.organization, email=email, now=request.now)
        request.session[RESET_EMAIL_KEY] = email
        return HttpResponseRedirect(portal_url(request, "reset_password"))
    return render(request, "portal/accounts/forgot_password.html", {"form": form})


@require_http_methods(["GET", "POST"])
def reset_password_view(request):
    email = request.session.get(RESET_EMAIL_KEY)
    if not email:
        return HttpResponseRedirect(portal_url(request, "forgot_password"))
    form = ResetPasswordForm(request.POST or None, email=email)
    if request.method == "POST" and form.is_valid():
        try:
            user = reset_password(
                email=email,
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password"],
                now=request.now,
            )
        except CodeError as error:
            form.add_error("code", str(error))
        else:
            request.session.pop(RESET_EMAIL_KEY, None)
            login(request, user, backend=BACKEND)
            if family_for(user, request.organization) is None:
                return HttpResponseRedirect(portal_url(request, "create_family_here"))
            return HttpResponseRedirect(portal_url(request, "dashboard") + "?reset=1")
    return render(request, "portal/accounts/reset_password.html", {"form": form, "email": email})
