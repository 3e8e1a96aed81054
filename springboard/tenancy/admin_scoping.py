"""The staff admin's tenancy rule, in one place for every app's admin classes.

A staff user belongs to organizations through StaffMembership with a role. Every admin class
built on `OrganizationScopedAdmin` (or `OrganizationScopedInline`):
- lists and opens only rows of the user's organizations (others: 404 through get_queryset);
- offers only those organizations' rows in the organization field, foreign-key dropdowns,
  many-to-many pickers and autocompletes (rows without an organization of their own, like an
  event's days, through the row they belong to: `organization_path`);
- names a row in a raw-id box or autocomplete only if it is offered there, so another
  organization's id (typed, posted or in `?field=<id>`) shows no name;
- refuses a posted id of another organization's row (the choice is not in the queryset) and a
  row that points at a row of a different organization than its own (form error);
- lets the roles in `edit_roles` change rows and those in `view_roles` look at them.
A superuser sees everything.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from springboard.tenancy.models import Organization, StaffRole
from springboard.tenancy.services import memberships_by_organization

ALL_ROLES = frozenset({StaffRole.OWNER, StaffRole.STAFF})
OWNERS = frozenset({StaffRole.OWNER})


def organization_ids(request, roles) -> list[int]:
    user = request.user
    if not (user.is_active and user.is_staff):
        return []
    return [org for org, role in memberships_by_organization(user).items() if role in roles]


def _is_tenant_model(model) -> bool:
    return model is not Organization and any(
        f.name == "organization" and f.is_relation and f.related_model is Organization
        for f in model._meta.get_fields()
    )


def organization_path(model) -> str | None:
    """The lookup from a row of `model` to its organization: "organization" for tenant rows,
    "event__organization" for a row that belongs to one (an event's day), else None."""
    if _is_tenant_model(model):
        return "organization"
    for field in model._meta.concrete_fields:
        if field.many_to_one and not field.null and _is_tenant_model(field.related_model):
            return f"{field.name}__organization"
    return None


def _organization_id_of_row(obj) -> int | None:
    if hasattr(obj, "organization_id"):
        return obj.organization_id
    path = organization_path(type(obj))
    if path is None:
        return None
    return getattr(getattr(obj, path.split("__")[0]), "organization_id", None)


def _field_at(model, path: str):
    """The model field a list_filter path like "term" or "course__program" names, if any."""
    field = None
    for name in path.split("__"):
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - not a field path (a lookup or a method): leave it
            return None
        model = field.related_model if field.is_relation else model
    return field


class TenantAdminForm(forms.ModelForm):
    """Refuses rows that point across organizations (e.g. a news item at another's location)."""

    def clean(self):
        cleaned = super().clean()
        organization = cleaned.get("organization") or getattr(self.instance, "organization", None)
        if not isinstance(organization, Organization):
            return cleaned
        for name, value in list(cleaned.items()):
            if name == "organization":
                continue
            chosen = list(value) if isinstance(value, models.QuerySet) else [value]
            if any(
                isinstance(obj, models.Model)
                and _organization_id_of_row(obj) not in (None, organization.pk)
                for obj in chosen
            ):
                self.add_error(
                    name,
                    ValidationError(
                        _("Choose only rows of %(organization)s."),
                        params={"organization": organization},
                        code="other_organization",
                    ),
                )
        return cleaned


class ScopedRawIdWidget(widgets.ForeignKeyRawIdWidget):
    """A raw-id box that names the chosen row only if the field may offer it: an id of
    another organization's row (typed, posted or in `?field=<id>`) shows no label."""

    def __init__(self, rel, admin_site, queryset, **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            offered = self.queryset.using(self.db).filter(**{key: value}).exists()
        except (ValueError, TypeError, ValidationError):
            offered = False
        return super().label_and_url_for_value(value) if offered else ("", "")


class ScopedFormfieldsMixin:
    edit_roles: frozenset = ALL_ROLES
    view_roles: frozenset = ALL_ROLES

    def _limit(self, db_field, request, kwargs):
        if request.user.is_superuser:
            return kwargs
        allowed = organization_ids(request, self.edit_roles)
        model = db_field.related_model
        path = organization_path(model)
        if model is Organization:
            kwargs["queryset"] = Organization.objects.filter(pk__in=allowed)
        elif path is not None:
            kwargs["queryset"] = model._default_manager.filter(**{f"{path}__in": allowed})
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._limit(db_field, request, kwargs)
        if (
            "widget" not in kwargs
            and "queryset" in kwargs
            and db_field.name in self.raw_id_fields
            and db_field.name not in self.get_autocomplete_fields(request)
        ):
            kwargs["widget"] = ScopedRawIdWidget(
                db_field.remote_field,
                self.admin_site,
                kwargs["queryset"],
                using=kwargs.get("using"),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(
            db_field, request, **self._limit(db_field, request, kwargs)
        )

    def _allowed(self, request, roles, obj=None) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.is_superuser:
            return True
        ids = organization_ids(request, roles)
        if obj is None:
            return bool(ids)
        return self._organization_id_of(obj) in ids

    def _organization_id_of(self, obj) -> int | None:
        return obj.pk if isinstance(obj, Organization) else obj.organization_id

    def has_module_permission(self, request):
        return self._allowed(request, self.view_roles | self.edit_roles)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, self.view_roles | self.edit_roles, obj)

    def has_add_permission(self, request, *args):
        return self._allowed(request, self.edit_roles)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, self.edit_roles, obj)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, self.edit_roles, obj)


class OrganizationScopedAdmin(ScopedFormfieldsMixin, admin.ModelAdmin):
    form = TenantAdminForm

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        allowed = organization_ids(request, self.view_roles | self.edit_roles)
        if queryset.model is Organization:
            return queryset.filter(pk__in=allowed)
        return queryset.filter(organization__in=allowed)

    def get_list_filter(self, request):
        """A plain related-field filter lists every organization's rows (terms, programs...):
        for staff, each becomes RelatedOnlyFieldListFilter, which offers only the rows the
        (already scoped) list points at. Only a superuser gets the organization filter."""
        filters = []
        for entry in super().get_list_filter(request):
            if isinstance(entry, str) and not request.user.is_superuser:
                field = _field_at(self.model, entry)
                if field is not None and field.is_relation:
                    entry = (entry, admin.RelatedOnlyFieldListFilter)
            filters.append(entry)
        if request.user.is_superuser and self.model is not Organization:
            filters.insert(0, "organization")
        return filters

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        allowed = organization_ids(request, self.edit_roles)
        if len(allowed) == 1 and "organization" not in initial:
            initial["organization"] = allowed[0]
        return initial


class OrganizationScopedInline(ScopedFormfieldsMixin, admin.StackedInline):
    """Inlines of an organization-owned parent: the parent's checks already scoped the rows."""

    def has_add_permission(self, request, obj=None):
        return self._allowed(request, self.edit_roles, obj)

    def _organization_id_of(self, obj) -> int | None:
        return obj.pk if isinstance(obj, Organization) else obj.organization_id
