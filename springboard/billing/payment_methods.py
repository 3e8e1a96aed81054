"""A family's saved cards and bank accounts: a gateway token plus what may be shown.

Saving takes a token the browser got from the gateway's own fields; we ask the gateway what it
stands for (`describe`), so a forged token or another merchant's is refused, and what we keep
comes from the gateway, not from the form."""

from django.db import transaction
from django.utils.translation import gettext as _

from springboard.billing.errors import LedgerError, WrongFamily
from springboard.billing.gateways import get_gateway
from springboard.billing.gateways.base import Gateway
from springboard.billing.models import SavedPaymentMethod
from springboard.billing.services import lock_family


def save_payment_method(
    *,
    organization,
    family,
    token: str,
    make_default: bool = False,
    autopay: bool = False,
    gateway: Gateway | None = None,
) -> SavedPaymentMethod:
    gateway = gateway or get_gateway(organization)
    token = gateway.prepare_for_reuse(token=token, family=family) if token else ""
    method = gateway.describe(token) if token else None
    if method is None:
        raise LedgerError(_("That card or bank account is not known; enter it again."))
    with transaction.atomic():
        lock_family(organization, family)
        saved, _created = SavedPaymentMethod.objects.get_or_create(
            organization=organization,
            family=family,
            gateway=gateway.name,
            token=method.token,
            defaults={
                "kind": method.kind,
                "brand": method.brand,
                "last4": method.last4,
                "exp_month": method.exp_month,
                "exp_year": method.exp_year,
                "autopay": autopay,
            },
        )
        has_default = family.payment_methods.filter(is_default=True).exists()
        if make_default or not has_default:
            _make_default(family, saved)
        return saved


def _make_default(family, method: SavedPaymentMethod) -> None:
    family.payment_methods.exclude(pk=method.pk).filter(is_default=True).update(is_default=False)
    if not method.is_default:
        method.is_default = True
        method.save(update_fields=["is_default"])


def set_default(*, organization, family, method: SavedPaymentMethod) -> None:
    if method.family_id != family.pk:
        raise WrongFamily()
    with transaction.atomic():
        lock_family(organization, family)
        _make_default(family, method)


def set_autopay(*, organization, family, method: SavedPaymentMethod, autopay: bool) -> None:
    if method.family_id != family.pk:
        raise WrongFamily()
    with transaction.atomic():
        lock_family(organization, family)
        method.autopay = autopay
        method.save(update_fields=["autopay"])


def remove_payment_method(*, organization, family, method: SavedPaymentMethod) -> None:
    """Forget a method (payments made with it keep their brand and last four); the newest
    remaining one becomes the default."""
    if method.family_id != family.pk:
        raise WrongFamily()
    with transaction.atomic():
        lock_family(organization, family)
        was_default = method.is_default
        method.delete()
        if was_default and (
            newest := family.payment_methods.order_by("-created_at", "-id").first()
        ):
            _make_default(family, newest)
