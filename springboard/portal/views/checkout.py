"""CHECKOUT: the pending order, the pay form, the confirmation page (docs/checkout.md).

Views parse and read ids through the organization *and* family (another family's order or
saved payment method is a 404) and call springboard.checkout.services. Card and bank numbers
never reach these views: the gateway's own fields post them to the gateway and the form
carries only its token. Any field of ours that holds something like a card number is refused.
"""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from springboard.billing import balances
from springboard.billing.cards import CARD_NUMBER_MESSAGE, contains_card_number
from springboard.billing.errors import LedgerError
from springboard.billing.gateways import request_gateway
from springboard.billing.gateways.csp import payment_page
from springboard.billing.models import ChargeKind, SavedPaymentMethod
from springboard.billing.payment_methods import save_payment_method
from springboard.booking import readd
from springboard.booking.locking import BookingBusy, BookingError
from springboard.booking.models import CartItem, HoldStatus
from springboard.checkout import gift_cards, promo_codes, services
from springboard.checkout.errors import PromoCodeRefused
from springboard.checkout.models import Order
from springboard.core import clock, ratelimits
from springboard.core.parsing import MAX_ID, parse_id, whole_number
from springboard.core.prepared import Prepared, padded
from springboard.portal.busy import busy_page
from springboard.portal.views.bank_check import bank_check
from springboard.portal.views.cart import booking_family_required, visitors_welcome
from springboard.portal.views.family_access import client_ip, portal_url

# Promo codes tried per family and per address (core/ratelimits.py, like every limit):
# guessing codes is slow. Failing open, logged.
PROMO_LIMITS = (("promo:family", "10/h"), ("promo:address", "30/h"))

MAX_TOKEN = 100
# Values we do not read as free text: the gateway's token (and its display fields) and the
# CSRF token; every other posted value is checked for a card number.
GATEWAY_OR_FRAMEWORK_FIELDS = {
    "csrfmiddlewaretoken",
    "payment_token",
    "payment_token_brand",
    "payment_token_last4",
}


def _saved_methods(organization_id: int, family_id: int):
    return SavedPaymentMethod.objects.filter(organization_id=organization_id, family_id=family_id)


# Compiled once per process (core.prepared; docs/performance.md, "pay, fourth pass").
SAVED_METHODS = Prepared(_saved_methods)


def _order_context(request, order, now) -> dict:
    family = request.family
    lines = services.order_lines(order)
    return {
        "order": order,
        "lines": lines,
        "policies": services.transaction_policies(order),
        "saved_methods": SAVED_METHODS(
            organization_id=request.organization.pk, family_id=family.pk
        ),
        "credit": balances.credit(family),
        "gateway": request_gateway(request).client_config(),
        "now": now,
        # Only ProShop products are picked up: no query for an order without them.
        "pickups": pickup_locations(order) if _has_products(lines) else [],
        **gift_cards.checkout_context(order),
    }


def _has_products(lines) -> bool:
    return any(line.kind == ChargeKind.PRODUCT for line in lines)


def pickup_locations(order) -> list:
    """Where the order's ProShop products are picked up (docs/shop.md)."""
    rows = order.items.filter(cart_item__location__isnull=False).values_list(
        "cart_item__location__name", "cart_item__location__address_line1"
    )
    return sorted(set(rows))


def _run_out(organization_id: int, family_id: int, ids: tuple, now):
    return (
        CartItem.objects.filter(organization_id=organization_id, family_id=family_id, pk__in=ids)
        .filter(Q(status=HoldStatus.EXPIRED) | Q(status=HoldStatus.ACTIVE, expires_at__lte=now))
        .select_related("student", "course", "event", "party_package", "variant__product")
        .order_by("added_at", "id")
    )


# Every checkout from the cart page posts the items it showed: compiled once per process
# (core.prepared; docs/performance.md, "checkout start and the cart page").
RUN_OUT = Prepared(_run_out)


def _ran_out(request, now) -> list[str]:
    """The items the cart page showed (its Checkout form lists them) whose time has run out
    since: checkout leaves them out, and the family is told which."""
    shown = {parse_id(value) for value in request.POST.getlist("shown")[:50]}
    if not shown:
        return []
    organization_id, family_id = request.organization.pk, request.family.pk
    ids = padded(shown, sizes=(1, 2, 4, 8, 16, 32, 64))
    if ids is None:  # (at most 50 are read)
        items = _run_out(organization_id, family_id, tuple(shown), now)
    else:
        items = RUN_OUT(organization_id=organization_id, family_id=family_id, ids=ids, now=now)
    return [readd.label(item) for item in items]


def _tell_ran_out(request, names: list[str]) -> None:
    if names:
        messages.warning(
            request,
            _(
                "Time ran out for %(items)s, so it was left out. Add it again from your cart "
                "if it is still open."
            )
            % {"items": ", ".join(names)}
            if len(names) == 1
            else _(
                "Time ran out for %(items)s, so they were left out. Add them again from your "
                "cart if they are still open."
            )
            % {"items": ", ".join(names)},
        )


@require_POST
@booking_family_required
@visitors_welcome
def start(request):
    """The cart's Checkout button: the family's pending order (made now, or the open one)."""
    now = request.now
    try:
        services.start_checkout(family=request.family, user=request.user, now=now)
    except BookingBusy as error:
        return busy_page(request, error.message)
    except BookingError as error:
        names = _ran_out(request, now)
        if names:
            _tell_ran_out(request, names)
        else:
            messages.error(request, error.message)
        return HttpResponseRedirect(portal_url(request, "cart"))
    _tell_ran_out(request, _ran_out(request, now))
    return HttpResponseRedirect(portal_url(request, "checkout"))


def _refuse(request, order, message: str, status: int = 400):
    now = request.now
    if order is None or not order.is_open(now):
        messages.error(request, message)
        return HttpResponseRedirect(portal_url(request, "cart"))
    context = _order_context(request, order, now)
    context["error"] = message
    return render(request, "portal/checkout/checkout.html", context, status=status)


def _token(request, order) -> str:
    """The payment token: a saved method of this family (else 404) or a new one from the
    gateway's fields. Never a number."""
    choice = request.POST.get("method", "")
    if choice.startswith("saved-"):
        method = get_object_or_404(
            SavedPaymentMethod.objects.for_organization(request.organization),
            family=request.family,
            pk=parse_id(choice.removeprefix("saved-")),
        )
        return method.token
    if choice in {"card", "echeck"}:
        token = request.POST.get("payment_token", "").strip()
        if len(token) > MAX_TOKEN:
            raise BookingError(_("That card or bank account is not known; enter it again."))
        return token
    return ""


@payment_page
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
@booking_family_required
@visitors_welcome
def checkout(request):
    now = request.now
    if request.method == "GET":
        order = services.open_order(request.family, now)
        if order is None:
            messages.info(request, _("Your cart has nothing waiting for payment."))
            return HttpResponseRedirect(portal_url(request, "cart"))
        return render(request, "portal/checkout/checkout.html", _order_context(request, order, now))

    attempt = whole_number(request.POST.get("attempt"), maximum=999_999)
    # The order, with what is recorded under this attempt's payment key (check_payable's)
    # and what its eGift Cards pay (pay's), in one read.
    read = services.read_pay_form(
        request.organization, request.family, parse_id(request.POST.get("order")), attempt
    )  # not an id: 404
    if read is None:
        raise Http404("No such order")
    posted = read.order
    posted.organization, posted.family = request.organization, request.family  # not read again
    ours = (v for k, v in request.POST.items() if k not in GATEWAY_OR_FRAMEWORK_FIELDS)
    if any(contains_card_number(value) for value in ours):
        return _refuse(request, posted, str(CARD_NUMBER_MESSAGE))
    if attempt is None:
        return _refuse(request, posted, _("This payment form has expired; reload the page."))
    try:
        agreed = frozenset(parse_id(value) for value in request.POST.getlist("policy"))
        pay_request = services.PayRequest(
            attempt=attempt,
            credit=services.parse_credit(request.POST.get("credit", "")),
            token="",
            agreed=agreed,
            ip_address=client_ip(request),
        )
        gateway = request_gateway(request)  # once for the checks, the charge and the CSP
        checked = None
        if posted.status == "pending":
            checked = services.check_payable(posted, attempt, now, gateway, read=read)
            token = _token(request, posted)
            pay_request = services.PayRequest(**{**pay_request.__dict__, "token": token})
        order = services.pay(
            order=posted,
            request=pay_request,
            user=request.user if request.user.is_authenticated else None,  # a visitor: None
            now=now,
            gateway=gateway,
            clock=clock.now,
            fresh=True,  # read above, in this request
            checked=checked,
            read=read,
        )
    except BookingBusy as error:
        return busy_page(request, error.message)
    except services.PaymentNeedsAuthentication as error:
        return bank_check(
            request,
            message=error.message,
            client_secret=error.client_secret,
            back_url=portal_url(request, "checkout"),
        )
    except services.PaymentKept as error:
        # Paid but not booked: the money is credit. Still open (e.g. the credit was spent in
        # another tab): the form again; the window passed meanwhile: back to the cart.
        posted.refresh_from_db()
        if posted.is_open(clock.now()):
            return _refuse(request, posted, error.message)
        messages.warning(request, error.message)
        return HttpResponseRedirect(portal_url(request, "cart"))
    except services.PaymentRefused as error:
        posted.refresh_from_db()
        return _refuse(request, posted, error.message, status=402)
    except BookingError as error:
        posted.refresh_from_db()
        if posted.status == "confirmed":
            return HttpResponseRedirect(portal_url(request, "order_detail", posted.pk))
        return _refuse(request, posted, error.message)
    new_method = request.POST.get("method") in {"card", "echeck"}
    use_for_autopay = bool(request.POST.get("autopay"))
    if new_method and pay_request.token and (request.POST.get("save_method") or use_for_autopay):
        try:  # saved only once it paid: a declined card is not kept
            save_payment_method(
                organization=request.organization,
                family=request.family,
                token=pay_request.token,
                autopay=use_for_autopay,
            )
        except LedgerError:
            messages.warning(request, _("The card or account could not be saved."))
    messages.success(request, _("Thank you! Your order is paid and a receipt is on its way."))
    return HttpResponseRedirect(portal_url(request, "order_detail", order.pk))


def _promo_attempts_left(request, *, now) -> bool:
    family_key = f"family-{request.family.pk}"
    keys = {"promo:family": lambda _group, _request: family_key, "promo:address": "ip"}
    checks = [(group, keys[group], rate) for group, rate in PROMO_LIMITS]
    return ratelimits.wait_seconds(request, checks, now=now) is None


@require_POST
@booking_family_required
def promo_code(request):
    """Apply (or with `remove`, take off) a promo code on the family's pending order; the
    order is priced again. Every reason a code cannot be used gives the same message."""
    now = request.now
    order = get_object_or_404(
        Order.objects.for_organization(request.organization),
        family=request.family,
        pk=parse_id(request.POST.get("order")),
    )
    try:
        if request.POST.get("remove"):
            promo_codes.remove_promo_code(order=order, now=now)
            messages.info(request, _("The promo code was removed."))
            return HttpResponseRedirect(portal_url(request, "checkout"))
        if not _promo_attempts_left(request, now=now):
            return _refuse(
                request,
                order,
                _("Too many promo codes were tried. Please wait an hour and try again."),
                status=429,
            )
        typed = request.POST.get("code", "")
        if contains_card_number(typed):
            return _refuse(request, order, str(CARD_NUMBER_MESSAGE))
        promo_codes.apply_promo_code(order=order, typed=typed, now=now)
    except BookingBusy as error:
        return busy_page(request, error.message)
    except PromoCodeRefused as error:
        return _refuse(request, order, error.message)
    except BookingError as error:
        return _refuse(request, order, error.message)
    messages.success(request, _("The promo code was applied."))
    return HttpResponseRedirect(portal_url(request, "checkout"))


def _family_order(organization_id: int, family_id: int, order_id: int):
    return Order.objects.filter(
        organization_id=organization_id, family_id=family_id, pk=order_id
    ).select_related("payment")


# Compiled once per process (core.prepared): the confirmation page's order, its payment with it.
FAMILY_ORDER = Prepared(_family_order)


@require_GET
@booking_family_required
@visitors_welcome
def order_detail(request, order_id: int):
    # The URL's digits, bound as they come: beyond a row id's range there is no such order.
    found = 1 <= order_id <= MAX_ID and FAMILY_ORDER(
        organization_id=request.organization.pk, family_id=request.family.pk, order_id=order_id
    )
    if not found:
        raise Http404("No such order")
    order = found[0]
    if order.status == "pending" and order.is_open(request.now):
        return HttpResponseRedirect(portal_url(request, "checkout"))
    lines = services.order_lines(order)  # prepared, as the pay page reads them
    context = {
        "order": order,
        "lines": lines,
        # Only ProShop products are picked up: no query for an order without them.
        "pickups": pickup_locations(order) if _has_products(lines) else [],
        **gift_cards.receipt_context(order, now=request.now),
    }
    return render(request, "portal/checkout/order.html", context)


@require_POST
@booking_family_required
@visitors_welcome
def cancel(request):
    order = get_object_or_404(
        Order.objects.for_organization(request.organization),
        family=request.family,
        pk=parse_id(request.POST.get("order")),
    )
    try:
        services.cancel_order(order=order, now=request.now)
    except BookingBusy as error:
        return busy_page(request, error.message)
    except BookingError as error:
        messages.error(request, error.message)
    else:
        messages.info(request, _("The order was cancelled and its places released."))
    return HttpResponseRedirect(portal_url(request, "cart"))
