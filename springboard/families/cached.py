"""A login, its family here and its policy gate from the shared cache (issue 17, item 3).

Every portal page of a logged-in family looked up the login, the family and whether a
required policy is pending: four to five queries before the view. With a shared cache
(springboard/core/versions.py) they are kept under two versions:
- `v:login:<user>`: bumped by a save or delete of the login, of a Family or Guardian of it,
  of a Student or PolicyAgreement of its families (signals below), and by the queryset
  updates that change a family or login (`login_changed`, called where they happen);
- `v:policies:<organization>`: bumped by a save or delete of a Policy or PolicyVersion.
So a new student, a confirmed email, an answered or a new policy, a password change (which
logs other sessions out through the session hash) shows on the next request.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save
from django_scopes import scopes_disabled

from springboard.core import versions
from springboard.families.models import (
    Family,
    Guardian,
    Policy,
    PolicyAgreement,
    PolicyVersion,
    Student,
)


def _login_version(user_id) -> str:
    return f"v:login:{user_id}"


def _policies_version(organization_id) -> str:
    return f"v:policies:{organization_id}"


def login_changed(*user_ids) -> None:
    versions.bump(*(_login_version(pk) for pk in user_ids if pk is not None))


def family_changed(family_id) -> None:
    if not versions.enabled() or family_id is None:
        return
    with scopes_disabled():
        users = Guardian.objects.filter(family_id=family_id).values_list("user_id", flat=True)
        login_changed(*users)


def login_families_changed(user_id) -> None:
    """After a queryset update of every family of a login (its email, its confirmation)."""
    if not versions.enabled():
        return
    with scopes_disabled():
        families = Guardian.objects.filter(user_id=user_id).values("family_id")
        users = Guardian.objects.filter(family_id__in=families).values_list("user_id", flat=True)
        login_changed(user_id, *users)


def user_keys(user_id) -> list[str]:
    """What `user` reads (for versions.read_ahead): its entry, then its versions."""
    return [f"login:{user_id}", _login_version(user_id)]


def family_keys(organization_id, user_id) -> list[str]:
    """What `family_and_gate` reads (for versions.read_ahead): its entry, then its versions."""
    return [
        f"family:{organization_id}:{user_id}",
        _login_version(user_id),
        _policies_version(organization_id),
    ]


def user(user_id, load):
    """The login with this primary key (`load()` on a miss: the auth backend's query)."""
    entry, *version_keys = user_keys(user_id)
    value, current = versions.read(entry, version_keys)
    if value is versions.MISSING:
        value = load()
        versions.write(entry, current, value)
    return value


def family_and_gate(user, organization, load_family, load_gate):
    """(the login's family here or None, whether a required policy is pending)."""
    entry, *version_keys = family_keys(organization.pk, user.pk)
    value, current = versions.read(entry, version_keys)
    if value is versions.MISSING:
        family = load_family()
        value = (family, load_gate(family) if family is not None else False)
        versions.write(entry, current, value)
    family, pending = value
    if family is not None:
        family.organization = organization  # this request's copy, not the cached one
    return family, pending


# --- what bumps the versions ------------------------------------------------------------------
def _login_saved(sender, instance, **_kwargs) -> None:
    login_changed(instance.pk)


def _family_saved(sender, instance, **_kwargs) -> None:
    family_changed(instance.pk)


def _guardian_saved(sender, instance, **_kwargs) -> None:
    login_changed(instance.user_id)
    family_changed(instance.family_id)


def _of_family_saved(sender, instance, **_kwargs) -> None:
    family_changed(instance.family_id)


def _policy_saved(sender, instance, **_kwargs) -> None:
    versions.bump(_policies_version(instance.organization_id))


def _version_saved(sender, instance, **_kwargs) -> None:
    if not versions.enabled():
        return
    with scopes_disabled():
        organization = Policy.objects.filter(pk=instance.policy_id).values_list(
            "organization_id", flat=True
        )
        for organization_id in organization:
            versions.bump(_policies_version(organization_id))


def connect() -> None:
    receivers = [
        (get_user_model(), _login_saved),
        (Family, _family_saved),
        (Guardian, _guardian_saved),
        (Student, _of_family_saved),
        (PolicyAgreement, _of_family_saved),
        (Policy, _policy_saved),
        (PolicyVersion, _version_saved),
    ]
    for model, receiver in receivers:
        uid = f"families-cache-{model.__name__}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(receiver, sender=model, dispatch_uid=uid + "-delete")
