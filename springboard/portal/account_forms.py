"""Forms of the family pages: logging in, creating an account, codes, students, My Account.

Every field is validated here, server-side; the templates show each error beside its field.
"""

from datetime import date

from django import forms
from django.contrib.auth import password_validation
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from springboard.families.models import (
    EmergencyContact,
    Family,
    Gender,
    Guardian,
    ReferralSource,
    Student,
    User,
    normalize_email_address,
)
from springboard.families.phones import normalize_phone


class PortalFormMixin:
    """Bootstrap classes on every widget, and aria-invalid on fields with errors."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.RadioSelect):
                css = ""
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            if css:
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                field = self.fields[name]
                # The error shown beside the field (and any help text) is read out with it.
                ids = [f"id_{name}_error"] + ([f"id_{name}_helptext"] if field.help_text else [])
                field.widget.attrs["aria-invalid"] = "true"
                field.widget.attrs["aria-describedby"] = " ".join(ids)


class EmailField(forms.EmailField):
    def clean(self, value):
        return normalize_email_address(super().clean(value))


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(**kwargs)
        self.widget.input_type = "tel"
        self.widget.attrs.setdefault("autocomplete", "tel")

    def clean(self, value):
        return normalize_phone(super().clean(value))


code_validator = RegexValidator(r"^\d{6}$", _("Enter the 6 digits from the email."))


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("6-digit code"))
        super().__init__(max_length=6, min_length=6, validators=[code_validator], **kwargs)
        self.widget.attrs.update(
            {"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": r"\d{6}"}
        )


class LoginForm(PortalFormMixin, forms.Form):
    email = EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    keep_logged_in = forms.BooleanField(
        label=_("Keep me logged in for two weeks"),
        required=False,
        help_text=_("Only on your own device. Otherwise you are logged out when you close it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class NewPasswordMixin:
    """`password`, checked by Django's validators (at least 10 characters, not common)."""

    def clean_password(self):
        password = self.cleaned_data["password"]
        data = self.cleaned_data
        probe = User(
            email=data.get("email", ""),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
        )
        password_validation.validate_password(password, probe)
        return password


class FamilyDetailsForm(PortalFormMixin, forms.Form):
    """The guardian and the family's contact details (sign-up and "Create your family here")."""

    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80)
    mobile_phone = PhoneField(label=_("Mobile phone"))
    address_line1 = forms.CharField(label=_("Address"), max_length=200)
    address_line2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=100)
    region = forms.CharField(label=_("State or region"), max_length=100, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=20)
    referral_source = forms.ModelChoiceField(
        queryset=ReferralSource.objects.none(),
        label=_("How did you hear about us?"),
        required=False,
    )
    news_opt_in = forms.BooleanField(label=_("Email me news and announcements"), required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        sources = ReferralSource.objects.for_organization(organization).filter(is_active=True)
        if sources.exists():
            self.fields["referral_source"].queryset = sources
        else:
            del self.fields["referral_source"]
        autocomplete = {
            "first_name": "given-name",
            "last_name": "family-name",
            "address_line1": "address-line1",
            "address_line2": "address-line2",
            "city": "address-level2",
            "region": "address-level1",
            "postal_code": "postal-code",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value


class RegisterForm(NewPasswordMixin, FamilyDetailsForm):
    email = EmailField(label=_("Email"), max_length=254)
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        help_text=_("At least 10 characters; not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    field_order = ["first_name", "last_name", "email", "mobile_phone", "password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.order_fields(self.field_order)


class ConfirmCodeForm(PortalFormMixin, forms.Form):
    code = CodeField()


class StudentForm(PortalFormMixin, forms.ModelForm):
    class Meta:
        model = Student
        fields = ["first_name", "last_name", "birth_date", "gender", "medical_notes"]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "gender": forms.RadioSelect,
            "medical_notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "gender": _("With Another, courses only for girls or only for boys are not offered."),
        }

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["gender"].choices = Gender.choices

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if birth_date > self.today:
            raise forms.ValidationError(_("A birth date cannot be in the future."))
        if birth_date.year < 1900:
            raise forms.ValidationError(_("Enter a birth date after 1900."))
        return birth_date


class ForgotPasswordForm(PortalFormMixin, forms.Form):
    email = EmailField(label=_("Email"), max_length=254)


class ResetPasswordForm(NewPasswordMixin, PortalFormMixin, forms.Form):
    code = CodeField()
    password = forms.CharField(
        label=_("New password"),
        max_length=128,
        strip=False,
        help_text=_("At least 10 characters; not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str = "", **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean_password(self):
        self.cleaned_data.setdefault("email", self.email)
        return super().clean_password()


class ContactForm(PortalFormMixin, forms.ModelForm):
    mobile_phone = PhoneField(label=_("Mobile phone"))

    class Meta:
        model = Family
        fields = [
            "mobile_phone",
            "address_line1",
            "address_line2",
            "city",
            "region",
            "postal_code",
            "news_opt_in",
        ]


class GuardianForm(PortalFormMixin, forms.ModelForm):
    email = EmailField(label=_("Email"), max_length=254, required=False)
    mobile_phone = PhoneField(label=_("Mobile phone"), required=False)
    other_phone = PhoneField(label=_("Other phone"), required=False)
    invite = forms.BooleanField(
        label=_("Invite them by email to their own login for this family"), required=False
    )

    class Meta:
        model = Guardian
        fields = [
            "first_name",
            "last_name",
            "email",
            "mobile_phone",
            "other_phone",
            "relationship",
            "may_pick_up",
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("invite") and not cleaned.get("email"):
            self.add_error("email", _("An invitation needs an email."))
        return cleaned


class EmergencyContactForm(PortalFormMixin, forms.ModelForm):
    phone = PhoneField(label=_("Phone"))

    class Meta:
        model = EmergencyContact
        fields = ["name", "phone", "relationship"]


class EmailChangeForm(PortalFormMixin, forms.Form):
    new_email = EmailField(label=_("New email"), max_length=254)
    password = forms.CharField(
        label=_("Your password"),
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(NewPasswordMixin, PortalFormMixin, forms.Form):
    current_password = forms.CharField(
        label=_("Your current password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    password = forms.CharField(
        label=_("New password"),
        max_length=128,
        strip=False,
        help_text=_("At least 10 characters; not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        self.cleaned_data.setdefault("email", self.user.email)
        self.cleaned_data.setdefault("first_name", self.user.first_name)
        self.cleaned_data.setdefault("last_name", self.user.last_name)
        return super().clean_password()


class JoinFamilyForm(NewPasswordMixin, PortalFormMixin, forms.Form):
    password = forms.CharField(
        label=_("Choose a password"),
        max_length=128,
        strip=False,
        help_text=_("At least 10 characters; not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class PolicyAnswersForm(PortalFormMixin, forms.Form):
    """One checkbox per pending (policy, student) item and a typed signature."""

    signature = forms.CharField(label=_("Type your full name as your signature"), max_length=160)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[item.key] = forms.BooleanField(
                label=_("I agree") if item.policy.required else _("I accept (optional)"),
                required=item.policy.required,
                error_messages={"required": _("Agree to this policy to continue.")},
            )
            self.fields[item.key].widget.attrs["class"] = "form-check-input"
        self.order_fields([item.key for item in items] + ["signature"])

    def rows(self):
        return [(item, self[item.key]) for item in self.items]
