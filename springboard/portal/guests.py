"""The visitor's guest family, remembered by the browser session (families.guests)."""

from springboard.families.guests import create_guest_family, update_guest_family
from springboard.families.models import Family


def _key(organization) -> str:
    return f"guest-family:{organization.pk}"


def guest_family(request) -> Family | None:
    """The guest family of this visitor's session (never for a logged-in user)."""
    if request.user.is_authenticated:
        return None
    family_id = request.session.get(_key(request.organization))
    if not isinstance(family_id, int):
        return None
    return (
        Family.objects.for_organization(request.organization)
        .filter(pk=family_id, is_guest=True)
        .first()
    )


def start_guest(request, *, name: str, email: str, phone: str) -> Family:
    family = guest_family(request)
    if family is not None:
        return update_guest_family(family, name=name, email=email, phone=phone)
    family = create_guest_family(
        organization=request.organization, name=name, email=email, phone=phone
    )
    request.session[_key(request.organization)] = family.pk
    return family


def forget_guest(request) -> None:
    """The session no longer names a guest family (its row was rolled back with what failed)."""
    request.session.pop(_key(request.organization), None)
