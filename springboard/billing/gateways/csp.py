"""The Content-Security-Policy of pages that take a payment.

The site-wide policy (settings.SECURE_CSP) allows only our own files. A page that mounts a
processor's fields (checkout, Payments, saved cards) is wrapped in `payment_page`: for an
organization on Stripe its response gets that policy plus Stripe.js's script and frame
origins and the API origin it talks to (https://docs.stripe.com/security/guide#content-
security-policy); every other page, and every page of an organization on the sandbox, keeps
the strict policy."""

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django_scopes import scopes_disabled

from springboard.billing.gateways import chosen_stripe

# Stripe.js's own frames (3-D Secure, the card fields) beyond js.stripe.com.
STRIPE_FRAMES = ["https://hooks.stripe.com"]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def stripe_csp() -> dict:
    js = _origin(settings.STRIPE_JS_URL)
    api = _origin(settings.STRIPE_API_BASE)
    policy = {name: list(values) for name, values in settings.SECURE_CSP.items()}
    frames = [js, *STRIPE_FRAMES] if js == "https://js.stripe.com" else [js]
    policy["script-src"] = [*policy.get("script-src", []), js]
    policy["frame-src"] = [*policy.get("frame-src", []), *frames]
    policy["connect-src"] = [*policy.get("connect-src", []), *dict.fromkeys([api, js])]
    return policy


def uses_stripe(organization) -> bool:
    if organization is None or getattr(settings, "PAYMENT_GATEWAY", ""):
        return False
    from springboard.billing.gateways.stripe.models import GatewayKind, GatewaySettings

    with scopes_disabled():
        return (
            GatewaySettings.objects.filter(organization=organization, gateway=GatewayKind.STRIPE)
            .exclude(secret_key_encrypted="")
            .exists()
        )


def payment_page(view):
    """Mark a view as one that takes a payment (see the module's docstring)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        stripe = chosen_stripe(request)  # the view's gateway, when it chose one
        if stripe is None:
            stripe = uses_stripe(getattr(request, "organization", None))
        if stripe:
            response._csp_config = stripe_csp()
        return response

    return wrapped
