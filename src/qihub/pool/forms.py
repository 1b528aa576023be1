"""Staff forms of the pool page: add an expert, list a held standard text."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qihub.organisations.widgets import OrganisationField
from qihub.pool.models import Expert, HeldText
from qihub.pool.services import EXPERT_FIELDS, HELD_TEXT_FIELDS


class ExpertForm(forms.ModelForm):
    organisation = OrganisationField(label=_("Organisation"), required=False)

    class Meta:
        model = Expert
        fields = EXPERT_FIELDS
        widgets = {"consent_on": forms.DateInput(attrs={"type": "date"})}


class HeldTextForm(forms.ModelForm):
    class Meta:
        model = HeldText
        fields = HELD_TEXT_FIELDS
        widgets = {
            "licence_until": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }


class NetworkSearchForm(forms.Form):
    """The expert pool and holdings search on a network's page."""

    expert_q = forms.CharField(label=_("Name or words"), max_length=200, required=False)
    expert_field = forms.CharField(
        label=_("Field of expertise"), max_length=200, required=False
    )
    text_q = forms.CharField(
        label=_("Identifier or title"), max_length=200, required=False
    )
