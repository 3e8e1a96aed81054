from django import forms
from django.utils.translation import gettext_lazy as _

from springboard.tenancy.models import Location


class ChooseLocationForm(forms.Form):
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(), label=_("Location"), empty_label=None
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.for_organization(organization)
