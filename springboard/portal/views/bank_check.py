"""The page a payment shows while the family's bank asks it to authenticate (3-D Secure,
docs/billing.md): nothing is charged yet. Stripe.js (static stripe_gateway/fields.js) runs
the bank's check with the PaymentIntent's client secret, then submits the very form the
family sent, again: the same order attempt (checkout) or the same ledger state (Payments),
so the same key finds the same PaymentIntent, and our server records Stripe's final answer
(paid once, or a clear "not confirmed"). Without JavaScript the family presses Continue."""

from django.shortcuts import render

from springboard.billing.gateways import get_gateway

NOT_REPLAYED = {"csrfmiddlewaretoken"}


def _config(organization) -> dict:
    gateway = get_gateway(organization)
    if gateway.name == "stripe":
        return gateway.client_config(setup=False)  # no card is entered on this page
    return gateway.client_config()


def bank_check(request, *, message: str, client_secret: str, back_url: str):
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in NOT_REPLAYED
        for value in values[:50]
    ]
    return render(
        request,
        "portal/payments/bank_check.html",
        {
            "message": message,
            "client_secret": client_secret,
            "fields": fields[:200],
            "action": request.get_full_path(),
            "back_url": back_url,
            "gateway": _config(request.organization),
        },
        status=402,
    )
