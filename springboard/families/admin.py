from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from springboard.families.models import (
    EmergencyContact,
    Family,
    Guardian,
    Policy,
    PolicyAgreement,
    PolicyVersion,
    ReferralSource,
    Student,
    User,
)
from springboard.tenancy.admin_scoping import OrganizationScopedAdmin, OrganizationScopedInline


class LoginChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class LoginCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Logins span organizations, so only a superuser manages them directly; owners add staff
    through Staff memberships."""

    form = LoginChangeForm
    add_form = LoginCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_superuser"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["first_name", "last_name"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    filter_horizontal: list[str] = []
    list_filter = ["is_staff", "is_superuser", "is_active"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


# --- Families, students, policies (staff of the organization edit them) ---------------------


class _FamilyChildInline(OrganizationScopedInline):
    """Guardians, students and contacts take their organization from the family."""

    extra = 0
    exclude = ["organization"]


class GuardianInline(_FamilyChildInline):
    model = Guardian
    fields = [
        "first_name",
        "last_name",
        "email",
        "mobile_phone",
        "other_phone",
        "relationship",
        "may_pick_up",
        "is_primary",
        "user",
    ]
    readonly_fields = ["user"]
    exclude = None


class StudentInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk and form.instance.has_enrollments:
                raise forms.ValidationError(
                    _("%(name)s has enrollments: mark the student inactive instead of deleting.")
                    % {"name": form.instance.full_name}
                )


class StudentInline(_FamilyChildInline):
    model = Student
    formset = StudentInlineFormSet
    fields = ["first_name", "last_name", "birth_date", "gender", "medical_notes", "is_active"]
    exclude = None


class EmergencyContactInline(_FamilyChildInline):
    model = EmergencyContact
    fields = ["name", "phone", "relationship"]
    exclude = None


class VisitorFilter(admin.SimpleListFilter):
    """Families by default; visitors who bought without an account (guest families,
    docs/shop.md) only when asked for."""

    title = _("who")
    parameter_name = "visitors"

    def lookups(self, request, model_admin):
        return [("only", _("Visitors without an account")), ("all", _("Everyone"))]

    def queryset(self, request, queryset):
        if self.value() == "only":
            return queryset.filter(is_guest=True)
        if self.value() == "all":
            return queryset
        return queryset.filter(is_guest=False)


@admin.register(Family)
class FamilyAdmin(OrganizationScopedAdmin):
    list_display = ["name", "organization", "email", "mobile_phone", "email_confirmed_at"]
    search_fields = ["name", "email", "guardians__last_name", "students__first_name"]
    list_filter = [VisitorFilter, "news_opt_in"]
    fields = [
        "organization",
        "name",
        "email",
        "mobile_phone",
        "address_line1",
        "address_line2",
        "city",
        "region",
        "postal_code",
        "referral_source",
        "news_opt_in",
        "email_confirmed_at",
    ]
    readonly_fields = ["email_confirmed_at"]
    inlines = [GuardianInline, StudentInline, EmergencyContactInline]

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            instance.organization_id = form.instance.organization_id
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Student)
class StudentAdmin(OrganizationScopedAdmin):
    list_display = ["__str__", "family", "birth_date", "gender", "is_active", "organization"]
    list_filter = ["gender", "is_active"]
    search_fields = ["first_name", "last_name", "family__name"]
    list_select_related = ["family", "organization"]
    fields = [
        "organization",
        "family",
        "first_name",
        "last_name",
        "birth_date",
        "gender",
        "medical_notes",
        "is_active",
    ]

    def has_delete_permission(self, request, obj=None):
        # A student with enrollments (active or past) is only ever marked inactive.
        if obj is not None and obj.has_enrollments:
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        for student in queryset:
            student.delete()


@admin.register(ReferralSource)
class ReferralSourceAdmin(OrganizationScopedAdmin):
    list_display = ["name", "organization", "position", "is_active"]
    fields = ["organization", "name", "position", "is_active"]


class PolicyVersionInline(OrganizationScopedInline):
    model = PolicyVersion
    extra = 0
    fields = ["number", "text", "created_at"]
    readonly_fields = ["number", "text", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Policy)
class PolicyAdmin(TranslationAdmin, OrganizationScopedAdmin):
    """Changing the text saves a new version; earlier agreements keep pointing at theirs."""

    list_display = ["title", "kind", "required", "show_on_web", "is_active", "organization"]
    list_filter = ["kind", "applies_to", "required", "show_on_web", "is_active"]
    search_fields = ["title", "text"]
    fields = [
        "organization",
        "kind",
        "title",
        "text",
        "applies_to",
        "required",
        "show_on_web",
        "is_active",
        "position",
    ]
    inlines = [PolicyVersionInline]


@admin.register(PolicyAgreement)
class PolicyAgreementAdmin(OrganizationScopedAdmin):
    """The record of who agreed to what: read-only, even for owners."""

    list_display = ["family", "student", "version", "accepted", "signature", "agreed_at"]
    list_filter = ["accepted", "version__policy__kind"]
    search_fields = ["family__name", "signature"]
    list_select_related = ["family", "student", "version__policy"]
    readonly_fields = [
        "organization",
        "family",
        "student",
        "version",
        "user",
        "signature",
        "accepted",
        "agreed_at",
        "ip_address",
    ]
    fields = readonly_fields

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
