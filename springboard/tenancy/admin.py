from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationStackedInline

from springboard.core.emails import normalize_email_address
from springboard.tenancy.admin_scoping import (
    OWNERS,
    OrganizationScopedAdmin,
    OrganizationScopedInline,
    TenantAdminForm,
)
from springboard.tenancy.models import (
    ClassFilter,
    Location,
    Organization,
    PortalSettings,
    StaffMembership,
)


class PortalSettingsForm(forms.ModelForm):
    class_filters = forms.MultipleChoiceField(
        label=_("Class filters"),
        choices=ClassFilter.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The filters the Classes page and Find the Right Class offer."),
    )

    class Meta:
        model = PortalSettings
        fields = [
            "proshop_enabled",
            "proshop_title",
            "egift_cards_enabled",
            "find_right_class_enabled",
            "visitors_may_create_accounts",
            "welcome_enabled",
            "welcome_title",
            "welcome_html",
            "staff_page_enabled",
            "staff_page_title",
            "staff_page_html",
            "live_enabled",
            "live_stream_url",
            "class_filters",
            "openings_display",
            "cart_hold_minutes",
            "waitlist_offer_hours",
        ]


class PortalSettingsInline(TranslationStackedInline, OrganizationScopedInline):
    model = PortalSettings
    form = PortalSettingsForm
    can_delete = False
    edit_roles = view_roles = OWNERS
    fieldsets = [
        (
            _("Features"),
            {
                "fields": [
                    "proshop_enabled",
                    "proshop_title",
                    "egift_cards_enabled",
                    "find_right_class_enabled",
                    "visitors_may_create_accounts",
                ]
            },
        ),
        (
            _("Welcome Information"),
            {"fields": ["welcome_enabled", "welcome_title", "welcome_html"]},
        ),
        (
            _("Staff page"),
            {"fields": ["staff_page_enabled", "staff_page_title", "staff_page_html"]},
        ),
        (_("Live"), {"fields": ["live_enabled", "live_stream_url"]}),
        (
            _("Classes"),
            {
                "fields": [
                    "class_filters",
                    "openings_display",
                    "cart_hold_minutes",
                    "waitlist_offer_hours",
                ]
            },
        ),
    ]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(OrganizationScopedAdmin):
    edit_roles = view_roles = OWNERS
    list_display = ["name", "account_name", "is_active"]
    search_fields = ["name", "account_name"]
    inlines = [PortalSettingsInline]
    fieldsets = [
        (None, {"fields": ["name", "account_name", "is_active"]}),
        (_("Look"), {"fields": ["logo", "brand_color", "accent_color"]}),
        (_("Money and time"), {"fields": ["currency", "time_zone"]}),
        (_("Links"), {"fields": ["website_url", "ios_app_url", "android_app_url"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        # Changing the account name breaks every link families saved; only a superuser may.
        return [] if request.user.is_superuser else ["account_name"]

    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(Location)
class LocationAdmin(OrganizationScopedAdmin):
    edit_roles = OWNERS
    list_display = ["name", "organization", "city", "phone", "position"]
    search_fields = ["name", "city"]


class StaffMembershipForm(TenantAdminForm):
    email = forms.EmailField(label=_("Email of the staff member"))
    new_password = forms.CharField(
        label=_("Password for a new login"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Only when this email has no login yet."),
    )

    class Meta:
        model = StaffMembership
        fields = ["organization", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["email"].initial = self.instance.user.email
            self.fields["email"].disabled = True
            del self.fields["new_password"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        email = normalize_email_address(cleaned.get("email", ""))
        user = get_user_model().objects.filter(email=email).first()
        password = cleaned.get("new_password")
        if user is None and not password:
            self.add_error("new_password", _("This email has no login yet: give it a password."))
        elif user is None and password:
            try:
                validate_password(password)
            except forms.ValidationError as error:
                self.add_error("new_password", error)
        organization = cleaned.get("organization")
        if (
            user
            and organization
            and StaffMembership.objects.filter(user=user, organization=organization).exists()
        ):
            self.add_error("email", _("This person is already staff of this organization."))
        self._user = user
        return cleaned

    def save(self, commit=True):
        if not self.instance.pk:
            user = self._user
            if user is None:
                user = get_user_model().objects.create_user(
                    self.cleaned_data["email"], self.cleaned_data["new_password"], is_staff=True
                )
            elif not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            self.instance.user = user
        return super().save(commit)


@admin.register(StaffMembership)
class StaffMembershipAdmin(OrganizationScopedAdmin):
    form = StaffMembershipForm
    edit_roles = view_roles = OWNERS
    list_display = ["user", "organization", "role"]
    search_fields = ["user__email"]
    fields = ["organization", "email", "new_password", "role"]

    def get_fields(self, request, obj=None):
        return ["organization", "email", "role"] if obj else self.fields
