"""Forms of the metrology pages."""

from django import forms
from django.utils.translation import gettext_lazy as _


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class DccUploadForm(forms.Form):
    file = forms.FileField(label=_("DCC XML file"))
    dry_run = forms.BooleanField(label=_("Check only (store nothing)"), required=False)


class ChainDateForm(forms.Form):
    on = forms.DateField(
        label=_("On"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class CoverageForm(forms.Form):
    on = forms.DateField(
        label=_("On"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    region = forms.CharField(label=_("Region"), required=False)
    item_type = forms.CharField(label=_("Instrument type"), required=False)
