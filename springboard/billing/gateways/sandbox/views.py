"""The sandbox gateway's tokenisation endpoint: the only place a card or account number is
ever sent. It answers with a token and what may be shown; it stores no number, and nothing
here logs the request (error reports mask the fields through sensitive_post_parameters)."""

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST
from django_scopes import scopes_disabled

from springboard.billing.gateways.base import TokeniseError
from springboard.billing.gateways.sandbox.gateway import SandboxGateway
from springboard.core.clock import today_in
from springboard.families import ratelimits
from springboard.tenancy.models import Organization

SECRET_FIELDS = ("number", "cvc", "exp_month", "exp_year", "routing_number", "account_number")


@csrf_exempt  # a processor's endpoint: in production it is another origin without our cookie
@never_cache
@require_POST
@sensitive_post_parameters(*SECRET_FIELDS)
@sensitive_variables("fields")
@scopes_disabled()  # not under /<account>/: the merchant field names the organization
def tokens(request):
    if ratelimits.wait_seconds(request, "tokenise", now=request.now) is not None:
        message = _("Too many attempts from here. Please wait a while and try again.")
        return JsonResponse({"errors": {"general": message}}, status=429)
    merchant = request.POST.get("merchant", "")[:50]
    organization = Organization.objects.filter(account_name=merchant, is_active=True).first()
    if organization is None:
        return JsonResponse({"errors": {"merchant": _("Unknown merchant.")}}, status=400)
    fields = {name: request.POST.get(name, "")[:40] for name in SECRET_FIELDS}
    try:
        method = SandboxGateway(organization).tokenise(
            kind=request.POST.get("kind", ""),
            fields=fields,
            idempotency_key=request.POST.get("idempotency_key", ""),
            today=today_in(organization.time_zone, request.now),
        )
    except TokeniseError as error:
        return JsonResponse({"errors": error.errors}, status=400)
    return JsonResponse(
        {
            "token": method.token,
            "kind": method.kind,
            "brand": method.brand,
            "last4": method.last4,
            "exp_month": method.exp_month,
            "exp_year": method.exp_year,
        },
        status=201,
    )


@scopes_disabled()
def try_fields(request, merchant: str):
    """A stand-in merchant page to try the fields (demo and tests only): it shows every field
    the merchant's view received — only the token and what may be shown."""
    if not (settings.DEBUG or settings.TESTING):
        raise Http404
    organization = get_object_or_404(Organization, account_name=merchant, is_active=True)
    received = None
    if request.method == "POST":
        received = [(name, request.POST.get(name, "")[:100]) for name in sorted(request.POST)]
        received = [(name, value) for name, value in received if name != "csrfmiddlewaretoken"]
    kind = "echeck" if request.GET.get("kind") == "echeck" else "card"
    return render(
        request,
        "sandbox_gateway/try.html",
        {
            "config": SandboxGateway(organization).client_config(),
            "kind": kind,
            "received": received,
        },
    )
