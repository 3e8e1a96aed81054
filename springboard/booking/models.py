"""What a family has taken or is holding: cart items (holds), enrollments, event registrations,
party bookings and waitlist entries.

Nothing here is a counter. Openings are computed by `springboard.catalog.availability` from the
expressions `springboard.booking.availability` registers: unexpired holds, active enrollments
and registrations, party bookings and outstanding waitlist offers.
"""

import secrets
from collections.abc import Callable
from datetime import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from springboard.catalog.models import (
    Course,
    Event,
    EventDay,
    PartyAddOn,
    PartyPackage,
    PartySlot,
)
from springboard.families.models import Family, Student
from springboard.shop.models import Variant
from springboard.tenancy.models import TenantModel, TenantQuerySet


class ItemKind(models.TextChoices):
    COURSE = "course", _("Class")
    EVENT = "event", _("Event")
    PARTY = "party", _("Party")
    PRODUCT = "product", _("ProShop")
    GIFT_CARD = "gift_card", _("eGift Card")  # its details: giftcards.GiftCardPurchase


# What a visitor without an account may buy (issue 12: ProShop and eGift Cards only; classes,
# camps and parties need a family). checkout.start_checkout refuses a guest family's order
# holding anything else.
VISITOR_KINDS = frozenset({ItemKind.PRODUCT, ItemKind.GIFT_CARD})


class HoldStatus(models.TextChoices):
    ACTIVE = "active", _("Held")
    EXPIRED = "expired", _("Expired")
    REMOVED = "removed", _("Removed")
    CONVERTED = "converted", _("Checked out")


# name -> function of `now` returning a Q on CartItem: items that are no longer held but still
# keep their seat for their student. Checkout registers "converted into an order that is
# pending inside its payment window" (an explicit registry: booking does not import checkout).
STILL_KEEPING: dict[str, Callable[[datetime], models.Q]] = {}


class CartItemQuerySet(TenantQuerySet):
    def for_organization(self, organization):
        return self.filter(organization=organization)

    def holding(self, now):
        """Items whose seat is still theirs: active *and* not past their time (checked on
        every read, so correctness never waits for the sweep)."""
        return self.filter(status=HoldStatus.ACTIVE, expires_at__gt=now)

    def keeping(self, now):
        """Items that still take their student's seat at `now`: unexpired holds and items of
        a pending order inside its window. Every "already booked?" check asks this (plus the
        booking rows), so a seat waiting for payment cannot be booked a second time."""
        condition = models.Q(status=HoldStatus.ACTIVE, expires_at__gt=now)
        for make in STILL_KEEPING.values():
            condition |= make(now)
        return self.filter(condition)


class CartItem(TenantModel):
    """One line of a family's cart, holding its seat (camp days, party slot) until expires_at."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="cart_items")
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, null=True, blank=True, related_name="cart_items"
    )
    course = models.ForeignKey(
        Course, on_delete=models.CASCADE, null=True, blank=True, related_name="cart_items"
    )
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="cart_items"
    )
    whole_event = models.BooleanField(_("whole event"), default=False)
    event_days = models.ManyToManyField(
        EventDay, through="CartItemDay", blank=True, related_name="cart_items"
    )
    party_slot = models.ForeignKey(
        PartySlot, on_delete=models.CASCADE, null=True, blank=True, related_name="cart_items"
    )
    party_package = models.ForeignKey(
        PartyPackage, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    guest_count = models.PositiveSmallIntegerField(_("guests"), null=True, blank=True)
    guest_of_honour = models.ForeignKey(
        Student, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    guest_of_honour_name = models.CharField(_("guest of honour"), max_length=80, blank=True)
    waitlist_entry = models.ForeignKey(
        "WaitlistEntry", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # ProShop (docs/shop.md): units of a variant held at the location they are picked up at.
    variant = models.ForeignKey(
        Variant, on_delete=models.CASCADE, null=True, blank=True, related_name="cart_items"
    )
    quantity = models.PositiveSmallIntegerField(_("quantity"), null=True, blank=True)
    location = models.ForeignKey(
        "tenancy.Location", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    gift_recipient_name = models.CharField(_("gift for"), max_length=80, blank=True)
    gift_recipient_email = models.EmailField(_("gift recipient's email"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=HoldStatus.choices, default=HoldStatus.ACTIVE
    )
    added_at = models.DateTimeField(_("added"))
    expires_at = models.DateTimeField(_("held until"))

    objects = CartItemQuerySet.as_manager()

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("cart item (hold)")
        verbose_name_plural = _("cart items (holds)")
        indexes = [
            models.Index(fields=["course", "status", "expires_at"]),
            models.Index(fields=["party_slot", "status", "expires_at"]),
            models.Index(fields=["family", "status", "expires_at"]),
            models.Index(fields=["variant", "status", "expires_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def honour_label(self) -> str:
        if self.guest_of_honour_id:
            return self.guest_of_honour.first_name
        return self.guest_of_honour_name


class CartItemDay(models.Model):
    """A camp day held by a cart item (a whole camp holds every day)."""

    cart_item = models.ForeignKey(CartItem, on_delete=models.CASCADE, related_name="days")
    event_day = models.ForeignKey(EventDay, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cart_item", "event_day"], name="one_hold_per_day")
        ]

    def __str__(self) -> str:
        return str(self.event_day)


class CartItemAddOn(models.Model):
    cart_item = models.ForeignKey(CartItem, on_delete=models.CASCADE, related_name="add_ons")
    add_on = models.ForeignKey(PartyAddOn, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveSmallIntegerField(_("quantity"))

    def __str__(self) -> str:
        return f"{self.quantity} × {self.add_on}"


class EnrollmentStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    DROPPED = "dropped", _("Dropped")


class EnrollmentQuerySet(TenantQuerySet):
    def holding_place(self, at: datetime):
        """What still takes its seat (and is billed) at `at`: the one rule (docs/booking.md,
        "Drops"). Active, or dropped with an end still ahead of `at`."""
        return self.filter(
            models.Q(status=EnrollmentStatus.ACTIVE)
            | models.Q(status=EnrollmentStatus.DROPPED, ends_at__gt=at)
        )


class Enrollment(TenantModel):
    """A student's place in a course (checkout creates them; the demo and staff may too).

    A drop sets `status = dropped` at once and `ends_at` to when it takes effect: until then
    the enrollment keeps its seat and is billed (`holding_place`), after it, not."""

    objects = EnrollmentQuerySet.as_manager()

    student = models.ForeignKey(Student, on_delete=models.PROTECT, related_name="enrollments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrollments")
    status = models.CharField(
        _("status"), max_length=10, choices=EnrollmentStatus.choices, default="active"
    )
    created_at = models.DateTimeField(_("created"))
    dropped_at = models.DateTimeField(_("dropped"), null=True, blank=True)
    ends_at = models.DateTimeField(
        _("ends"), null=True, blank=True, help_text=_("A drop takes effect at this moment.")
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("enrollment")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "course"],
                condition=models.Q(status="active"),
                name="one_active_enrollment_per_student_and_course",
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.course}"

    def holds_place_at(self, at: datetime) -> bool:
        """`EnrollmentQuerySet.holding_place` for one row already read."""
        if self.status == EnrollmentStatus.ACTIVE:
            return True
        return self.ends_at is not None and self.ends_at > at


class EventRegistration(TenantModel):
    student = models.ForeignKey(
        Student, on_delete=models.PROTECT, related_name="event_registrations"
    )
    event_day = models.ForeignKey(EventDay, on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(
        _("status"), max_length=10, choices=EnrollmentStatus.choices, default="active"
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("event registration")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "event_day"],
                condition=models.Q(status="active"),
                name="one_active_registration_per_student_and_day",
            )
        ]


class PartyBooking(TenantModel):
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="party_bookings")
    slot = models.ForeignKey(PartySlot, on_delete=models.PROTECT, related_name="party_bookings")
    package = models.ForeignKey(PartyPackage, on_delete=models.PROTECT, related_name="+")
    guest_count = models.PositiveSmallIntegerField(_("guests"))
    guest_of_honour_name = models.CharField(_("guest of honour"), max_length=80)
    status = models.CharField(
        _("status"), max_length=10, choices=EnrollmentStatus.choices, default="active"
    )
    created_at = models.DateTimeField(_("created"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("party booking")
        constraints = [
            models.UniqueConstraint(
                fields=["slot"],
                condition=models.Q(status="active"),
                name="one_active_booking_per_party_slot",
            )
        ]


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    OFFERED = "offered", _("Offered a seat")
    CLAIMED = "claimed", _("Claimed")
    LAPSED = "lapsed", _("Offer lapsed")
    LEFT = "left", _("Left")


def new_token() -> str:
    return secrets.token_urlsafe(24)


class WaitlistEntry(TenantModel):
    """A student waiting for a full course. An offer holds a seat until offer_expires_at."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="waitlist_entries")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="waitlist_entries")
    status = models.CharField(
        _("status"), max_length=10, choices=WaitlistStatus.choices, default="waiting"
    )
    joined_at = models.DateTimeField(_("joined"))
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer ends"), null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)

    class Meta:
        ordering = ["joined_at", "id"]
        verbose_name = _("waitlist entry")
        verbose_name_plural = _("waitlist entries")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "course"],
                condition=models.Q(status__in=["waiting", "offered"]),
                name="one_open_waitlist_entry_per_student_and_course",
            )
        ]

    def __str__(self) -> str:
        return f"{self.student} · {self.course} ({self.get_status_display()})"


class DropNotice(models.TextChoices):
    MONTH_END = "month_end", _("At the end of the current month")
    DAYS_BEFORE_MEETING = "days", _("N days before the next meeting")


class TransferNotice(models.TextChoices):
    NEXT_MEETING = "next", _("At once: from the next meeting")
    MONTH_END = "month_end", _("At the end of the current month")
    DAYS_BEFORE_MEETING = "days", _("N days before the next meeting")


class DropApproval(models.TextChoices):
    AUTOMATIC = "automatic", _("Automatic")
    REQUEST = "request", _("A request staff approve")


class UnusedMonth(models.TextChoices):
    KEEP = "keep", _("Kept")
    CREDIT = "credit", _("Credited to the family's account")
    REFUND = "refund", _("Refunded to the original payment")


class PriceDifference(models.TextChoices):
    SETTLE = "settle", _("Charged when higher, credited when lower")
    CHARGE_ONLY = "charge", _("Charged when higher, kept when lower")
    REFUND = "refund", _("Charged when higher, refunded to the original payment when lower")


class CancelRefundTo(models.TextChoices):
    PAYMENT = "payment", _("The original payment")
    CREDIT = "credit", _("The family's credit")


class DropRules(TenantModel):
    """How families drop, transfer and cancel online (docs/booking.md, "Rules for
    changes"): one row for the organization (no program) and optionally one per program,
    which replaces it for that program's classes; the defaults when neither exists
    (`drop_rules`)."""

    program = models.ForeignKey(
        "catalog.Program",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("program"),
        help_text=_("Empty: the organization's rules. A program's row replaces them for it."),
    )
    online = models.BooleanField(_("families may drop online"), default=True)
    approval = models.CharField(
        _("a drop is"), max_length=10, choices=DropApproval.choices, default="automatic"
    )
    notice = models.CharField(
        _("a drop takes effect"), max_length=10, choices=DropNotice.choices, default="month_end"
    )
    notice_days = models.PositiveSmallIntegerField(
        _("notice (days before a meeting)"),
        default=7,
        validators=[MaxValueValidator(60)],
        help_text=_("With “N days before the next meeting”: meetings closer than this stay."),
    )
    unused_month = models.CharField(
        _("the current month's unused part is"),
        max_length=10,
        choices=UnusedMonth.choices,
        default="keep",
    )
    transfer_online = models.BooleanField(_("families may transfer online"), default=True)
    transfer_approval = models.CharField(
        _("a transfer is"), max_length=10, choices=DropApproval.choices, default="automatic"
    )
    transfer_notice = models.CharField(
        _("a transfer takes effect"),
        max_length=10,
        choices=TransferNotice.choices,
        default="next",
    )
    transfer_difference = models.CharField(
        _("a transfer's price difference is"),
        max_length=10,
        choices=PriceDifference.choices,
        default="settle",
    )
    transfer_request_days = models.PositiveSmallIntegerField(
        _("a transfer request holds the new seat for (days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "Staff decide within this; then the request expires, the seat is released and the "
            "family is told."
        ),
    )
    # Camps and parties (the organization's row only: they have no program).
    cancel_online = models.BooleanField(
        _("families may cancel camps and parties online"), default=True
    )
    cancel_full_days = models.PositiveSmallIntegerField(
        _("full refund up to (days before the start)"),
        default=14,
        validators=[MaxValueValidator(365)],
    )
    cancel_partial_days = models.PositiveSmallIntegerField(
        _("partial refund up to (days before the start)"),
        default=7,
        validators=[MaxValueValidator(365)],
        help_text=_("Closer than this: no refund. Cancelling is closed once it has started."),
    )
    cancel_partial_percent = models.PositiveSmallIntegerField(
        _("partial refund (percent)"), default=50, validators=[MaxValueValidator(100)]
    )
    cancel_refund_to = models.CharField(
        _("a cancellation's refund goes to"),
        max_length=10,
        choices=CancelRefundTo.choices,
        default="credit",
    )

    class Meta:
        verbose_name = _("rules for changes")
        verbose_name_plural = _("rules for changes (drop, transfer, cancel)")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(program__isnull=True),
                name="one_set_of_change_rules_per_organization",
            ),
            models.UniqueConstraint(
                fields=["organization", "program"],
                condition=models.Q(program__isnull=False),
                name="one_set_of_change_rules_per_program",
            ),
        ]

    def __str__(self) -> str:
        if self.program_id:
            return str(_("Rules for changes: %(program)s") % {"program": self.program})
        return str(_("Rules for changes"))

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.program_id and self.program.organization_id != self.organization_id:
            raise ValidationError({"program": _("Choose a program of this organization.")})
        if self.cancel_partial_days > self.cancel_full_days:
            raise ValidationError(
                {"cancel_partial_days": _("The partial refund's days are more than the full's.")}
            )


def drop_rules(organization, program=None) -> DropRules:
    """The rules for a class of `program` (its program's row, else the organization's),
    or the defaults (unsaved) when there is neither."""
    program_id = getattr(program, "pk", program)
    rows = {
        r.program_id: r
        for r in DropRules.objects.filter(organization=organization).filter(
            models.Q(program__isnull=True) | models.Q(program_id=program_id)
        )
    }
    found = rows.get(program_id) if program_id else None
    return found or rows.get(None) or DropRules(organization=organization)


from springboard.booking.change_models import (  # noqa: E402, F401  (this app's models)
    ChangeKind,
    ChangeRequest,
    ChangeStatus,
)
