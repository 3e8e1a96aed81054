"""CART: adding classes, camp days and parties, the cart page, removing; the waitlist.

Views only parse ids and numbers and call springboard.booking's services, which lock, re-check
and hold. Every id is read through the request's organization *and* family: another
organization's or family's course, event, slot, student, item or entry is a 404. A refusal is
a message on the page the family came from; a lock not granted in time is a 409 page.
"""

from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from springboard.booking import readd, services, waitlist
from springboard.booking.locking import BookingBusy, BookingError
from springboard.booking.models import CartItem, ItemKind, WaitlistEntry
from springboard.catalog.availability import course_openings, with_party_slot_bookings
from springboard.catalog.eligibility import check_student
from springboard.catalog.models import Course, Event, EventDay, PartySlot
from springboard.checkout.cart_reads import cart_discounts, held_items, open_order
from springboard.core.parsing import parse_id, whole_number
from springboard.core.prepared import Prepared
from springboard.families.models import Student
from springboard.portal import waiting
from springboard.portal.busy import busy_page
from springboard.portal.guests import guest_family
from springboard.portal.views.family_access import portal_url, safe_next, with_next


def booking_family_required(view):
    """Logged in, with a family here whose email is confirmed (the policy gate is the
    middleware's). Otherwise: to login, to create the family, or a message."""

    def back(request) -> str:  # only when sent away (a reverse() per request otherwise)
        return request.get_full_path() if request.method == "GET" else safe_next(request)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            guest = guest_family(request) if getattr(view, "visitors_welcome", False) else None
            if guest is not None:  # the cart and checkout of a visitor (ProShop, eGift Cards)
                request.family = guest
                return view(request, *args, **kwargs)
            return HttpResponseRedirect(with_next(portal_url(request, "login"), back(request)))
        family = getattr(request, "family", None)
        if family is None:
            return HttpResponseRedirect(
                with_next(portal_url(request, "create_family_here"), back(request))
            )
        if not family.can_book:
            messages.error(request, _("Please confirm your email address before booking."))
            return HttpResponseRedirect(portal_url(request, "confirm_email"))
        return view(request, *args, **kwargs)

    return wrapped


def visitors_welcome(view):
    """Put under @booking_family_required: a visitor with a guest family in the session gets
    this page too (the cart, checkout, the order's receipt: docs/shop.md)."""
    view.visitors_welcome = True
    return view


def refused(request, error: BookingError, fallback: str):
    if isinstance(error, BookingBusy):
        return busy_page(request, error.message)
    messages.error(request, error.message)
    return HttpResponseRedirect(safe_next(request, fallback))


def _active_students(organization_id: int, family_id: int):
    return Student.objects.filter(
        organization_id=organization_id, family_id=family_id, is_active=True
    )


def _courses_shown(organization_id: int, course_id: int):
    return Course.objects.filter(
        organization_id=organization_id, shown_on_web=True, pk=course_id
    ).select_related("location", "term")


# The class page's and the add's reads, compiled once per process (core.prepared;
# docs/performance.md, "third pass: reads").
ACTIVE_STUDENTS = Prepared(_active_students)
COURSE_SHOWN = Prepared(_courses_shown)


def active_students(request) -> list[Student]:
    """The family's active students, in their order (family.students.filter(is_active=True))."""
    family = request.family
    students = ACTIVE_STUDENTS(organization_id=family.organization_id, family_id=family.pk)
    for student in students:
        student.family = family
    return students


def _students(request, ids: list[str]) -> list[Student]:
    """The family's own active students; any other id (another family's too) is a 404."""
    wanted = {parse_id(value) for value in ids}
    found = [student for student in active_students(request) if student.pk in wanted]
    if len(found) != len(wanted):
        raise Http404("No such student")
    return sorted(found, key=lambda student: student.pk)


def _added(request, count: int):
    messages.success(
        request,
        _("Added to your cart. Each seat is held for %(minutes)s minutes.")
        % {"minutes": request.organization.portal_settings.cart_hold_minutes},
    )
    return HttpResponseRedirect(portal_url(request, "cart"))


@require_GET
@booking_family_required
@visitors_welcome
def cart(request):
    now = request.now
    # The held items are read once, with what the page and the pricing read (each read of
    # them with their related rows costs ~4 ms of CPU: docs/performance.md).
    items = held_items(request.family, now)
    request.cart_summary = services.cart_summary_of(items)  # the toolbar's, from these rows
    for item in items:
        item.preview = services.price_preview(item)
    expired = readd.offers(
        services.recently_expired(request.family, now),
        items,
        now=now,
    )
    context = {"items": items, "expired": expired, "now": now}
    context["discounts"] = cart_discounts(request.family, now, items) if items else []
    context["open_order"] = open_order(request.family, now)
    return render(request, "portal/cart/cart.html", context)


@require_POST
@booking_family_required
@visitors_welcome
def remove(request):
    item = get_object_or_404(
        CartItem.objects.for_organization(request.organization).filter(family=request.family),
        pk=parse_id(request.POST.get("item")),
    )
    try:
        services.remove_item(family=request.family, item=item, now=request.now)
    except BookingError as error:
        return refused(request, error, portal_url(request, "cart"))
    messages.success(request, _("Removed from your cart."))
    return HttpResponseRedirect(portal_url(request, "cart"))


@require_POST
@booking_family_required
def add_again(request):
    """An item whose time ran out, held again with its own choices (every rule applies; a
    class of a term in its opening needs a waiting-room pass, as a first add does)."""
    item = get_object_or_404(
        CartItem.objects.for_organization(request.organization)
        .filter(family=request.family)
        .select_related("course__term"),
        pk=parse_id(request.POST.get("item")),
    )
    if item.kind == ItemKind.COURSE:
        to_waiting_room = waiting.gate(request, item.course, back=portal_url(request, "cart"))
        if to_waiting_room is not None:
            return to_waiting_room
    try:
        added = readd.add_again(family=request.family, item=item, now=request.now)
    except BookingError as error:
        return refused(request, error, portal_url(request, "cart"))
    return _added(request, len(added))


@require_POST
@booking_family_required
def add_course(request):
    found = COURSE_SHOWN(
        organization_id=request.organization.pk, course_id=parse_id(request.POST.get("course"))
    )
    if not found:
        raise Http404("No such course")
    course = found[0]
    back = portal_url(request, "course_detail", course.pk)
    if (to_waiting_room := waiting.gate(request, course, back=back)) is not None:
        return to_waiting_room
    students = _students(request, request.POST.getlist("student"))
    try:
        items = services.add_course(
            family=request.family, students=students, course=course, now=request.now
        )
    except BookingError as error:
        return refused(request, error, back)
    return _added(request, len(items))


@require_POST
@booking_family_required
def add_event(request):
    event = get_object_or_404(
        Event.objects.for_organization(request.organization)
        .filter(shown_on_web=True)
        .select_related("location"),
        pk=parse_id(request.POST.get("event")),
    )
    back = portal_url(request, "event_detail", event.pk)
    [student] = _students(request, [request.POST.get("student", "")])
    whole = request.POST.get("whole") == "1"
    day_ids = {parse_id(value) for value in request.POST.getlist("day")}
    days = list(EventDay.objects.filter(event=event, pk__in=day_ids))
    if len(days) != len(day_ids):
        raise Http404("No such day")
    try:
        item = services.add_event(
            family=request.family,
            student=student,
            event=event,
            days=days,
            whole=whole,
            now=request.now,
        )
    except BookingError as error:
        return refused(request, error, back)
    return _added(request, len([item]))


def _quantity(raw: str, *, allow_blank: bool) -> int | None:
    """A whole number typed or posted; None when it is not one (the caller says so)."""
    raw = (raw or "").strip()
    if raw == "" and allow_blank:
        return 0
    return whole_number(raw, minimum=-999_999, maximum=999_999)


def _party_choice(request, slot, package) -> services.PartyChoice:
    guests = _quantity(request.POST.get("guest_count", ""), allow_blank=False)
    if guests is None:
        raise BookingError(_("Give the number of guests as a whole number."))
    add_ons = {}
    for add_on in package.add_ons.all():
        quantity = _quantity(request.POST.get(f"add_on_{add_on.pk}", ""), allow_blank=True)
        if quantity is None or quantity < 0:
            raise BookingError(
                _("Quantities must be between 1 and %(max)s.") % {"max": services.MAX_QUANTITY}
            )
        if quantity:
            add_ons[add_on] = quantity
    # An add-on of another package posted under this one's name is refused, not ignored.
    for key in request.POST:
        if key.startswith("add_on_"):
            add_on_id = parse_id(key.removeprefix("add_on_"))
            if not any(a.pk == add_on_id for a in package.add_ons.all()):
                raise Http404("No such add-on in this package")
    honour_student = None
    if request.POST.get("honour_student"):
        [honour_student] = _students(request, [request.POST["honour_student"]])
    return services.PartyChoice(
        slot=slot,
        package=package,
        guest_count=guests,
        add_ons=add_ons,
        honour_student=honour_student,
        honour_name=request.POST.get("honour_name", "")[:80],
    )


@require_http_methods(["GET", "POST"])
def party_slot(request, slot_id: int):
    """A slot: choose the package, add-ons, guests and guest of honour, then hold it."""
    slot = get_object_or_404(
        with_party_slot_bookings(
            PartySlot.objects.for_organization(request.organization).select_related("location"),
            now=request.now,
        ),
        pk=slot_id,
    )
    packages = list(slot.packages.filter(shown_on_web=True).prefetch_related("add_ons"))
    package = None
    raw_package = request.POST.get("package") or request.GET.get("package")
    if raw_package:
        wanted = parse_id(raw_package)
        package = next((p for p in packages if p.pk == wanted), None)
        if package is None:
            raise Http404("No such package in this slot")
    elif len(packages) == 1:
        package = packages[0]
    if request.method == "POST":
        return _hold_party(request, slot, package)
    family = getattr(request, "family", None)
    students = list(family.students.filter(is_active=True)) if family else []
    return render(
        request,
        "portal/cart/party_slot.html",
        {"slot": slot, "packages": packages, "package": package, "students": students},
    )


@booking_family_required
def _hold_party(request, slot, package):
    back = portal_url(request, "party_slot", slot.pk)
    if package is None:
        return refused(request, BookingError(_("Choose a package.")), back)
    try:
        choice = _party_choice(request, slot, package)
        services.add_party(family=request.family, choice=choice, now=request.now)
    except BookingError as error:
        return refused(request, error, f"{back}?package={package.pk}")
    return _added(request, 1)


@require_POST
@booking_family_required
def join_waitlist(request):
    course = get_object_or_404(
        Course.objects.for_organization(request.organization)
        .filter(shown_on_web=True)
        .select_related("location", "term"),
        pk=parse_id(request.POST.get("course")),
    )
    # During its term's opening joining the waitlist needs a pass like adding: a seat freed
    # then is offered to the waitlist first, so joining is a way to a seat of the opening.
    back = portal_url(request, "course_detail", course.pk)
    if (to_waiting_room := waiting.gate(request, course, back=back)) is not None:
        return to_waiting_room
    [student] = _students(request, [request.POST.get("student", "")])
    try:
        waitlist.join(family=request.family, student=student, course=course, now=request.now)
    except BookingError as error:
        return refused(request, error, back)
    messages.success(
        request,
        _("%(name)s is on the waitlist. We will email you when a seat is free.")
        % {"name": student.first_name},
    )
    return HttpResponseRedirect(portal_url(request, "account") + "#waitlist-title")


@require_POST
@booking_family_required
def leave_waitlist(request):
    entry = get_object_or_404(
        WaitlistEntry.objects.for_organization(request.organization)
        .filter(family=request.family)
        .select_related("course"),
        pk=parse_id(request.POST.get("entry")),
    )
    try:
        waitlist.leave(family=request.family, entry=entry, now=request.now)
    except BookingError as error:
        return refused(request, error, portal_url(request, "account"))
    messages.success(request, _("You have left the waitlist."))
    return HttpResponseRedirect(portal_url(request, "account"))


@require_http_methods(["GET", "POST"])
@booking_family_required
def claim_offer(request, token: str):
    """The email's link: another family's (or organization's) token is a 404. Not gated by
    the waiting room: the offer is the waitlist's own turn for this family (docs/booking.md,
    "Waiting room")."""
    entry = get_object_or_404(
        WaitlistEntry.objects.for_organization(request.organization)
        .filter(family=request.family)
        .select_related("course__location", "student"),
        token=token[:64],
    )
    if request.method == "POST":
        try:
            waitlist.claim(family=request.family, entry=entry, now=request.now)
        except BookingError as error:
            return refused(request, error, portal_url(request, "claim_offer", token))
        messages.success(request, _("The seat is in your cart until the offer ends."))
        return HttpResponseRedirect(portal_url(request, "cart"))
    now = request.now
    open_offer = entry.status == "offered" and entry.offer_expires_at > now
    return render(request, "portal/cart/claim_offer.html", {"entry": entry, "open": open_offer})


def course_booking_context(request, course, *, today, closures) -> dict:
    """For the course page: the family's students with the eligibility verdict of each."""
    family = getattr(request, "family", None)
    # The one openings rule (families waiting come first), as the badge and the cart apply it.
    full = course_openings(course, now=request.now).full
    waiting_room_url = waiting.notice(request, course)
    if family is None:
        return {"booking_students": [], "booking_full": full, "waiting_room_url": waiting_room_url}
    rows = [
        (student, check_student(course, student, today=today, now=request.now, closures=closures))
        for student in active_students(request)
    ]
    return {
        "booking_students": rows,
        "booking_full": full,
        "waiting_room_url": waiting_room_url,
        # Arriving from Find the Right Class for one student: that student is ticked.
        "booking_preselected": request.GET.get("first_name", "")[:80],
    }


def family_students(request) -> dict:
    family = getattr(request, "family", None)
    return {"booking_students": list(family.students.filter(is_active=True)) if family else []}
