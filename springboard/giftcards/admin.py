"""eGift Cards in the staff admin, scoped like every admin (tenancy.admin_scoping): owners set
what is sold; staff list cards with their balance and history, resend a card's email, and
void what is left with a reason. Cards and their ledger are never edited here: a void is a new
ledger row (giftcards.services.void). The buyer's order and the orders that spent a card link
to each other (and the order's admin links back)."""

from django import forms
from django.contrib import admin, messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from springboard.booking.locking import BookingError
from springboard.core.clock import request_now
from springboard.core.money import format_money
from springboard.giftcards import services
from springboard.giftcards.models import GiftCard, GiftCardSettings, GiftCardTransaction
from springboard.giftcards.tasks import send_gift_card_after_commit
from springboard.tenancy.admin_scoping import (
    OWNERS,
    OrganizationScopedAdmin,
    OrganizationScopedInline,
)


@admin.register(GiftCardSettings)
class GiftCardSettingsAdmin(OrganizationScopedAdmin):
    edit_roles = OWNERS
    list_display = ["title", "fixed_amounts", "any_amount", "minimum_amount", "maximum_amount"]


def order_link(order) -> str:
    if order is None:
        return "—"
    url = reverse("admin:checkout_order_change", args=[order.pk])
    return format_html('<a href="{}">{}</a>', url, order)


def buyer_order(card: GiftCard):
    purchase = card.purchase
    if purchase is None:
        return None
    order_item = getattr(purchase.cart_item, "order_item", None)
    return order_item.order if order_item else None


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class TransactionInline(OrganizationScopedInline):
    model = GiftCardTransaction
    template = "admin/edit_inline/tabular.html"
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "amount", "reason", "spending_order", "payment", "created_by"]
    readonly_fields = fields

    @admin.display(description=_("order"))
    def spending_order(self, obj):
        use = getattr(obj, "order_use", None)
        return order_link(use.order) if use else "—"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(GiftCard)
class GiftCardAdmin(OrganizationScopedAdmin):
    list_display = [
        "__str__",
        "recipient_name",
        "recipient_email",
        "amount",
        "balance_display",
        "issued_at",
        "emailed_at",
    ]
    search_fields = ["last4", "recipient_name", "recipient_email", "sender_name"]
    list_select_related = ["organization"]
    fields = [
        "organization",
        "last4",
        "balance_display",
        "amount",
        "recipient_name",
        "recipient_email",
        "sender_name",
        "message",
        "deliver_on",
        "emailed_at",
        "expires_on",
        "issued_at",
        "bought_by",
        "bought_in",
        "staff_actions",
    ]
    readonly_fields = fields
    inlines = [TransactionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_balance()

    @admin.display(description=_("balance"), ordering="balance_sum")
    def balance_display(self, obj):
        return format_money(obj.balance_sum, currency=obj.organization.currency)

    @admin.display(description=_("bought in"))
    def bought_in(self, obj):
        return order_link(buyer_order(obj))

    @admin.display(description=_("actions"))
    def staff_actions(self, obj):
        links = [
            (
                reverse("admin:giftcards_giftcard_resend", args=[obj.pk]),
                gettext("Resend the email"),
            ),
            (
                reverse("admin:giftcards_giftcard_void", args=[obj.pk]),
                gettext("Void with a reason"),
            ),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def has_add_permission(self, request, *args):
        return False  # cards are issued by checkout (or the demo)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/void/", wrap(self.void_view), name="giftcards_giftcard_void"),
            path(
                "<path:object_id>/resend/", wrap(self.resend_view), name="giftcards_giftcard_resend"
            ),
            *super().get_urls(),
        ]

    def _card(self, request, object_id) -> GiftCard:
        card = self.get_object(request, object_id)  # scoped: another organization's → 404
        if card is None or not self._allowed(request, self.edit_roles, card):
            raise Http404("No such card")
        return card

    def _back(self, card):
        return HttpResponseRedirect(reverse("admin:giftcards_giftcard_change", args=[card.pk]))

    def void_view(self, request, object_id):
        card = self._card(request, object_id)
        form = VoidForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.void(
                    card=card,
                    reason=form.cleaned_data["reason"],
                    now=request_now(request),
                    actor=request.user,
                )
            except BookingError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, gettext("The card was voided."))
                return self._back(card)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Void %(card)s") % {"card": card},
            "card": card,
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/giftcards/void.html", context)

    def resend_view(self, request, object_id):
        card = self._card(request, object_id)
        if request.method != "POST":
            context = {
                **self.admin_site.each_context(request),
                "title": gettext("Resend %(card)s") % {"card": card},
                "card": card,
                "opts": self.model._meta,
            }
            return render(request, "admin/giftcards/resend.html", context)
        send_gift_card_after_commit(card)
        messages.success(
            request,
            gettext("The card's email is on its way to %(email)s.")
            % {"email": card.recipient_email},
        )
        return self._back(card)
