"""eGift Cards: buying one (logged in or as a visitor), the balance page, moving a card to
account credit, and "Use an eGift card" at checkout (docs/shop.md, "eGift Cards").

Views parse and call springboard.giftcards / springboard.checkout.gift_cards. Every code
tried counts against the rate limits (giftcards.ratelimits) before it is looked up, and a
code that does not work gets one message, whatever the reason.
"""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from springboard.booking.locking import BookingBusy, BookingError
from springboard.checkout import gift_cards as checkout_gift_cards
from springboard.checkout.models import Order
from springboard.core.parsing import parse_id
from springboard.giftcards import ratelimits
from springboard.giftcards import services as giftcards
from springboard.giftcards.amounts import credited, parse_plain_amount
from springboard.portal.busy import busy_page
from springboard.portal.giftcard_forms import CodeForm, GiftCardForm
from springboard.portal.guest_forms import buyer_details
from springboard.portal.guests import guest_family, start_guest
from springboard.portal.views.accounts import too_many_requests
from springboard.portal.views.cart import booking_family_required, visitors_welcome
from springboard.portal.views.family_access import portal_url


def _settings_or_404(request):
    config = giftcards.settings_for(request.organization)
    if not request.organization.portal_settings.egift_cards_enabled:
        raise Http404("eGift Cards are not sold here")
    return config


def _shopper(request):
    """The family buying: the login's family, or the visitor's guest family (or None)."""
    if request.user.is_authenticated:
        return getattr(request, "family", None)
    return guest_family(request)


@require_http_methods(["GET", "POST"])
def egift_cards(request):
    config = _settings_or_404(request)
    visitor = not request.user.is_authenticated
    if not visitor and getattr(request, "family", None) is None:
        return HttpResponseRedirect(portal_url(request, "create_family_here"))
    form = GiftCardForm(request.POST or None, settings=config, visitor=visitor)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        family = request.family
        if family is not None and not family.can_book:
            messages.error(request, _("Please confirm your email address before booking."))
            return HttpResponseRedirect(portal_url(request, "confirm_email"))
        choice = giftcards.GiftChoice(
            amount=data["chosen_amount"],
            recipient_name=data["recipient_name"],
            recipient_email=data["recipient_email"],
            sender_name=data["sender_name"],
            message=data["message"],
            deliver_on=data["deliver_on"],
        )
        try:
            # Checked before a visitor's guest family is made, so bad input makes no row.
            giftcards.check_choice(
                organization=request.organization, choice=choice, now=request.now
            )
            if visitor:
                family = start_guest(request, **buyer_details(data))
            giftcards.add_to_cart(family=family, choice=choice, now=request.now)
        except BookingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("The eGift Card is in your cart. It is held for %(minutes)s minutes.")
                % {"minutes": request.organization.portal_settings.cart_hold_minutes},
            )
            return HttpResponseRedirect(portal_url(request, "cart"))
    status = 400 if request.method == "POST" else 200
    if request.method == "POST":
        amount = parse_plain_amount(form.data.get("other_amount") or form.data.get("amount"))
        preview = credited(amount, config) if amount else None
    examples = [(value, credited(value, config)) for value in config.amounts]
    return render(
        request,
        "giftcards/buy.html",
        {
            "config": config,
            "form": form,
            "visitor": visitor,
            "examples": examples,
            "preview": preview,
            "title": config.title,
        },
        status=status,
    )


def _limited(request, family):
    wait = ratelimits.wait_seconds(request, now=request.now, family=family)
    return too_many_requests(request, wait) if wait else None


@require_http_methods(["GET", "POST"])
def balance(request):
    """What a code has left (anyone may look: the code is the secret)."""
    _settings_or_404(request)
    form = CodeForm(request.POST or None)
    card = None
    error = None
    family = _shopper(request)
    if request.method == "POST" and form.is_valid():
        limited = _limited(request, family)
        if limited:
            return limited
        try:
            card = giftcards.find_card(
                request.organization, form.cleaned_data["code"], now=request.now
            )
        except giftcards.WrongCode as refusal:
            error = refusal.message
    return render(
        request,
        "giftcards/balance.html",
        {
            "form": form,
            "card": card,
            "error": error,
            "code": form.cleaned_data.get("code") if card else "",
            "may_move": card is not None and request.user.is_authenticated and family is not None,
        },
        status=400 if error or (request.method == "POST" and not form.is_valid()) else 200,
    )


@require_POST
@booking_family_required
def move_to_credit(request):
    """ "Add to my account credit": the whole balance becomes the family's credit."""
    _settings_or_404(request)
    form = CodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the code of the card."))
        return HttpResponseRedirect(portal_url(request, "gift_card_balance"))
    limited = _limited(request, request.family)
    if limited:
        return limited
    try:
        card = giftcards.find_card(request.organization, form.cleaned_data["code"], now=request.now)
        row = giftcards.move_to_credit(
            card=card, family=request.family, now=request.now, actor=request.user
        )
    except BookingBusy as error:
        return busy_page(request, error.message)
    except BookingError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(portal_url(request, "gift_card_balance"))
    messages.success(
        request,
        _("%(amount)s from the eGift Card is now credit on your account.")
        % {"amount": _money(request, -row.amount)},
    )
    return HttpResponseRedirect(portal_url(request, "payments"))


def _money(request, amount) -> str:
    from springboard.core.money import format_money

    return format_money(amount, currency=request.organization.currency)


def _pending_order(request):
    return get_object_or_404(
        Order.objects.for_organization(request.organization),
        family=request.family,
        pk=parse_id(request.POST.get("order")),
    )


@require_POST
@booking_family_required
@visitors_welcome
def checkout_apply(request):
    """ "Use an eGift card" on the pending order."""
    order = _pending_order(request)
    form = CodeForm(request.POST)
    back = HttpResponseRedirect(portal_url(request, "checkout") + "#gift-cards")
    if not form.is_valid():
        messages.error(request, _("Enter the code of the card."))
        return back
    limited = _limited(request, request.family)
    if limited:
        return limited
    try:
        use = checkout_gift_cards.apply_card(
            order=order, code=form.cleaned_data["code"], now=request.now
        )
    except BookingError as error:
        messages.error(request, error.message)
        return back
    messages.success(
        request,
        _("The eGift Card ending %(last4)s pays %(amount)s of this order.")
        % {"last4": use.card.last4, "amount": _money(request, use.amount)},
    )
    return back


@require_POST
@booking_family_required
@visitors_welcome
def checkout_remove(request):
    order = _pending_order(request)
    try:
        checkout_gift_cards.remove_card(
            order=order, use_id=parse_id(request.POST.get("use")), now=request.now
        )
    except BookingError as error:
        messages.error(request, error.message)
    return HttpResponseRedirect(portal_url(request, "checkout") + "#gift-cards")
