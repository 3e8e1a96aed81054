"""My Account → Payment methods, Payments (pay outstanding charges, apply credit), History
and Statements (docs/family-money.md).

Card and bank numbers never reach these views: the gateway's own fields (static
sandbox_gateway/fields.js for the sandbox) post them to the gateway and put only a token into
our form. Every id is looked up through the family (another family's → 404). Every change to
the ledger goes through springboard.billing.services."""

import secrets
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from springboard.billing import (
    autopay,
    balances,
    history,
    paying,
    payment_methods,
    receipts,
    services,
)
from springboard.billing.errors import AuthenticationRequired, LedgerError, WrongFamily
from springboard.billing.gateways import get_gateway
from springboard.billing.gateways.csp import payment_page
from springboard.billing.models import Charge, SavedPaymentMethod
from springboard.core.i18n import site_text
from springboard.core.money import format_money, parse_amount
from springboard.core.parsing import parse_id, whole_number
from springboard.portal.views.bank_check import bank_check
from springboard.portal.views.family_access import family_required, portal_url

NONCES_KEY = "pay-nonces"
MAX_NONCES = 20
HISTORY_PER_PAGE = 25
MAX_STATEMENT_YEARS = 10


def _redirect(request, name: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(portal_url(request, name))


def _new_kind(request) -> str:
    return "echeck" if request.GET.get("with") == "echeck" else "card"


# --- Payment methods -------------------------------------------------------------------


@payment_page
@require_http_methods(["GET", "POST"])
@family_required
def payment_methods_page(request):
    family = request.family
    if request.method == "POST":
        try:
            payment_methods.save_payment_method(
                organization=request.organization,
                family=family,
                token=request.POST.get("payment_token", "")[:100],
                make_default=request.POST.get("make_default") == "on",
                autopay=request.POST.get("autopay") == "on",
            )
        except LedgerError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Saved."))
            return _redirect(request, "payment_methods")
    return render(
        request,
        "portal/payments/methods.html",
        {
            "methods": list(family.payment_methods.all()),
            "gateway": get_gateway(request.organization).client_config(),
            "kind": _new_kind(request),
        },
    )


@require_POST
@family_required
def payment_method(request, method_id: int):
    family = request.family
    method = get_object_or_404(SavedPaymentMethod, pk=method_id, family=family)
    action = request.POST.get("action")
    common = {"organization": request.organization, "family": family, "method": method}
    if action == "remove":
        payment_methods.remove_payment_method(**common)
        messages.success(request, _("Removed %(method)s.") % {"method": method.label})
    elif action == "default":
        payment_methods.set_default(**common)
        messages.success(request, _("%(method)s is now your default.") % {"method": method.label})
    elif action in ("autopay_on", "autopay_off"):
        payment_methods.set_autopay(**common, autopay=action == "autopay_on")
        messages.success(request, _("Autopay updated."))
    else:
        messages.error(request, _("Choose what to do with this payment method."))
    return _redirect(request, "payment_methods")


# --- Payments --------------------------------------------------------------------------


def _issue_nonce(request, family) -> str:
    """A one-form nonce kept in the session; it carries the ledger state the page saw
    (paying.payment_form_state), which — not the nonce — goes into the idempotency key, so
    two tabs showing the same charges pay them once."""
    nonce = f"{paying.payment_form_state(family)}.{secrets.token_urlsafe(16)}"
    nonces = request.session.get(NONCES_KEY, [])[-(MAX_NONCES - 1) :]
    request.session[NONCES_KEY] = [*nonces, nonce]
    return nonce


def _seen_attempt(request) -> int | None:
    nonce = request.POST.get("nonce", "")
    if nonce not in request.session.get(NONCES_KEY, []):
        return None
    state = nonce.partition(".")[0]
    return whole_number(state, maximum=2**63 - 1)


def _ids(values) -> list[int]:
    ids = []
    for value in values:
        ids.append(parse_id(value))
    return ids


def _payments_page(request, *, status: int = 200, pay_error: str = "", credit_error: str = ""):
    family = request.family
    charges = list(balances.outstanding_charges(family).select_related("student"))
    totals = balances.family_totals(family)
    methods = list(family.payment_methods.all())
    pay_with = request.GET.get("with", "")
    if pay_with not in ("card", "echeck"):
        pay_with = "saved" if methods else "card"
    autopay_status = autopay.status_for(
        family, today=autopay.local_today(request.organization, request.now), methods=methods
    )
    for charge in charges:  # what autopay does about each line (billing/autopay.py)
        charge.autopay_note = autopay_status.note_for(charge)
        charge.next_retry = autopay_status.next_retry.get(charge.pk)
    return render(
        request,
        "portal/payments/payments.html",
        {
            "charges": charges,
            "owed": sum((c.open_amount for c in charges), Decimal("0.00")),
            "credit": totals.credit,
            "methods": methods,
            "pay_with": pay_with,
            "nonce": _issue_nonce(request, family),
            "gateway": get_gateway(request.organization).client_config(),
            "pay_error": pay_error,
            "credit_error": credit_error,
            "autopay": autopay_status,
        },
        status=status,
    )


@payment_page
@require_GET
@family_required
def payments(request):
    return _payments_page(request)


def _token(request, family) -> str:
    chosen = request.POST.get("saved_method", "")
    if chosen:
        return get_object_or_404(SavedPaymentMethod, pk=parse_id(chosen), family=family).token
    return request.POST.get("payment_token", "")[:100]


def _paid_message(request, paid: paying.PaidCharges) -> None:
    amount = format_money(paid.payment.amount, currency=request.organization.currency)
    if paid.unapplied > 0:
        messages.warning(
            request,
            _(
                "We received %(amount)s, but %(credit)s of it could not be applied to the "
                "charges you chose: they were paid or changed meanwhile. It stays on your "
                "account as credit; apply it to a charge below or ask us for a refund."
            )
            % {
                "amount": amount,
                "credit": format_money(paid.unapplied, currency=request.organization.currency),
            },
        )
    elif paid.replayed:
        messages.success(
            request, _("Your payment of %(amount)s was received.") % {"amount": amount}
        )
    else:
        messages.success(
            request,
            _("Thank you! We received %(amount)s; a receipt is on its way by email.")
            % {"amount": amount},
        )


@payment_page
@require_POST
@family_required
def pay(request):
    family = request.family
    organization = request.organization
    seen_attempt = _seen_attempt(request)
    if seen_attempt is None:
        return _payments_page(
            request,
            status=400,
            pay_error=_("This payment form has expired; check the charges and pay again."),
        )
    ids = _ids(request.POST.getlist("charge"))
    token = _token(request, family)
    try:
        paid = paying.pay_charges(
            organization=organization,
            family=family,
            charge_ids=ids,
            amount=request.POST.get("amount", "").strip() or None,
            token=token,
            seen_attempt=seen_attempt,
            now=request.now,
            actor=request.user,
            description=site_text(gettext_lazy("Payment of outstanding charges")),
        )
    except WrongFamily:
        raise Http404("Not this family's charge") from None
    except AuthenticationRequired as error:
        return bank_check(
            request,
            message=error.message,
            client_secret=error.client_secret,
            back_url=portal_url(request, "payments"),
        )
    except LedgerError as error:
        return _payments_page(request, status=400, pay_error=error.message)
    if not paid.replayed:
        if family.email:
            receipts.send_payment_receipt(organization, family, paid.payment, paid.charges)
        if request.POST.get("save_method") == "on" and not request.POST.get("saved_method"):
            try:
                payment_methods.save_payment_method(
                    organization=organization, family=family, token=token
                )
            except LedgerError as error:
                messages.warning(request, error.message)
    _paid_message(request, paid)
    return _redirect(request, "payments")


@payment_page
@require_POST
@family_required
def apply_credit(request):
    family = request.family
    ids = _ids([request.POST.get("charge", "")])
    charge = get_object_or_404(Charge, pk=ids[0], family=family)
    raw = request.POST.get("amount", "").strip()
    try:
        services.apply_credit(
            organization=request.organization,
            family=family,
            charge=charge,
            amount=raw,
            now=request.now,
            actor=request.user,
        )
    except LedgerError as error:
        return _payments_page(request, status=400, credit_error=error.message)
    messages.success(
        request,
        _("Applied %(amount)s of your credit to %(charge)s.")
        % {
            "amount": format_money(parse_amount(raw), currency=request.organization.currency),
            "charge": charge.render_description(),
        },
    )
    return _redirect(request, "payments")


# --- History and statements -------------------------------------------------------------


@require_GET
@family_required
def history_page(request):
    page = Paginator(history.HistoryList(request.family), HISTORY_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/payments/history.html", {"page": page})


def _parse_day(value: str) -> date | None:
    try:
        day = date.fromisoformat(value) if value and len(value) <= 10 else None
    except ValueError:
        return None
    return day if day and 1900 <= day.year <= 2999 else None


def _years_later(day: date, years: int) -> date:
    if day.year + years > date.max.year:
        return date.max
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@require_GET
@family_required
def statement_page(request):
    zone = zoneinfo.ZoneInfo(request.organization.time_zone)
    today = timezone.localdate(timezone=zone)
    start_raw = request.GET.get("start", "")
    end_raw = request.GET.get("end", "")
    start = _parse_day(start_raw) if start_raw else today.replace(day=1)
    end = _parse_day(end_raw) if end_raw else today
    error = ""
    if start is None or end is None:
        error = _("Enter real dates (YYYY-MM-DD) between 1900 and 2999.")
    elif end < start:
        error = _("The statement must end on or after the day it starts.")
    elif end > _years_later(start, MAX_STATEMENT_YEARS):
        error = _("A statement covers at most %(years)s years.") % {"years": MAX_STATEMENT_YEARS}
    context = {"start": start_raw or start, "end": end_raw or end, "error": error}
    if not error:
        context["statement"] = history.statement(
            request.family,
            start=datetime.combine(start, time.min, tzinfo=zone),
            end=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
        )
        context["start_day"], context["end_day"] = start, end
    return render(request, "portal/payments/statement.html", context, status=400 if error else 200)
