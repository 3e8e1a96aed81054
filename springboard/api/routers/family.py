"""A logged-in family's own things: students, schedule, cart, checkout, payments history.

Each operation calls the service the portal's view calls (booking.services, checkout.services,
billing.history, attendance.coming_up) and reads every id through the organization *and* the
family, so another family's or organization's id is a 404.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.errors import HttpError

from springboard.api import present, schemas
from springboard.api.auth import FAMILY_AUTH, family_of
from springboard.api.schemas import ID_PATTERN
from springboard.attendance.coming_up import coming_up
from springboard.billing import history
from springboard.booking import readd, services
from springboard.booking.models import CartItem
from springboard.catalog.models import Course
from springboard.checkout.services import start_checkout
from springboard.core.parsing import parse_id
from springboard.families.models import Student
from springboard.waitingroom import passes
from springboard.waitingroom.services import may_book

router = Router(tags=["family"], auth=FAMILY_AUTH)

ERRORS = {
    400: schemas.Error,
    401: schemas.Error,
    403: schemas.Error,
    404: schemas.Error,
    422: schemas.Error,
    429: schemas.Error,
}
BOOKING_ERRORS = {**ERRORS, 409: schemas.Error}


@router.get("/{account}/students", response={200: list[schemas.Student], **ERRORS})
def students(request):
    family = family_of(request)
    return list(family.students.filter(is_active=True).order_by("first_name", "id"))


@router.get("/{account}/schedule", response={200: list[schemas.Upcoming], **ERRORS})
def schedule(request, days: int = Query(14, ge=1, le=31)):
    """Class meetings, camp days and parties of the next `days` days (Coming Up!)."""
    family = family_of(request)
    return [
        {
            "starts_at": item.starts_at,
            "ends_at": item.ends_at,
            "kind": item.kind,
            "student": item.student,
            "what": item.what,
            "location": item.location,
        }
        for item in coming_up(family, now=request.now, days=days)
    ]


def _cart(family, now) -> list[dict]:
    return [
        {
            "id": item.pk,
            "kind": item.kind,
            "label": readd.label(item),
            "student_id": item.student_id,
            "course_id": item.course_id,
            "expires_at": item.expires_at,
            "price": present.money(services.price_preview(item)),
        }
        for item in services.cart_items(family, now)
    ]


@router.get("/{account}/cart", response={200: list[schemas.CartItem], **ERRORS})
def cart(request):
    """What the family holds now (each seat until its expires_at)."""
    return _cart(family_of(request), request.now)


@router.post("/{account}/cart/classes", response={201: list[schemas.CartItem], **BOOKING_ERRORS})
def add_class(request, body: schemas.AddClass):
    """Hold a seat of a class for each student (all or none), under the course's lock, as the
    class page's Add to cart does; during a term's opening only with a waiting-room pass."""
    family = family_of(request, booking=True)
    course = get_object_or_404(
        Course.objects.for_organization(request.organization)
        .filter(shown_on_web=True)
        .select_related("location", "term"),
        pk=body.course,
    )
    wanted = set(body.students)
    chosen = list(
        Student.objects.for_organization(request.organization).filter(
            family=family, is_active=True, pk__in=wanted
        )
    )
    if len(chosen) != len(wanted):
        raise HttpError(404, _("No such student."))
    try:
        admitted = may_book(
            request.organization,
            course.term,
            pass_value=request.COOKIES.get(passes.PASS_COOKIE),
            waiter=passes.read_waiter(request.COOKIES.get(passes.WAITER_COOKIE)),
            now=request.now,
        )
    except passes.OtherOrganization:
        raise HttpError(404, _("Not found.")) from None
    if not admitted:
        raise HttpError(
            409, _("Registration is opening: join the waiting room in the portal first.")
        )
    services.add_course(
        family=family,
        students=sorted(chosen, key=lambda s: s.pk),
        course=course,
        now=request.now,
    )
    return Status(201, _cart(family, request.now))


@router.delete("/{account}/cart/{item_id}", response={204: None, **BOOKING_ERRORS})
def remove_item(request, item_id: str = Path(..., pattern=ID_PATTERN)):
    """Give a held seat back at once."""
    family = family_of(request)
    item = get_object_or_404(
        CartItem.objects.for_organization(request.organization).filter(family=family),
        pk=parse_id(item_id),
    )
    services.remove_item(family=family, item=item, now=request.now)
    return HttpResponse(status=204)


@router.post("/{account}/checkout", response={201: schemas.Order, **BOOKING_ERRORS})
def checkout(request):
    """The family's pending order made of its held items (or the open one), priced by the
    same service as the portal's Checkout button. It is paid on the portal's page."""
    family = family_of(request, booking=True)
    order = start_checkout(family=family, user=request.auth, now=request.now)
    return Status(
        201,
        {
            "id": order.pk,
            "status": order.status,
            "total": present.money(order.total),
            "due_now": present.money(order.due_now),
            "expires_at": order.expires_at,
            "pay_url": request.build_absolute_uri(
                reverse("portal:checkout", kwargs={"account": request.organization.account_name})
            ),
        },
    )


@router.get("/{account}/payments", response={200: schemas.HistoryPage, **ERRORS})
def payments(
    request,
    offset: int = Query(0, ge=0, le=1_000_000),
    limit: int = Query(25, ge=1, le=100),
):
    """The family's history (charges, payments, refunds), newest first, with the running
    balance after each: the portal's History page."""
    family = family_of(request)
    entries = history.page(family, offset=offset, limit=limit)
    return {
        "count": history.count(family),
        "results": [present.history_entry(entry) for entry in entries],
    }
