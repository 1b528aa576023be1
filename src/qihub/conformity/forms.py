"""Forms of the conformity pages (input parsing only; services decide)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qihub.conformity.models import TestReport


class CapabilityForm(forms.Form):
    product = forms.CharField(label=_("Product"), required=False)
    parameter = forms.CharField(label=_("Parameter"), required=False)
    standard = forms.CharField(label=_("Standard"), required=False)
    region = forms.CharField(label=_("Region code"), required=False)


class RequestForm(forms.Form):
    product = forms.CharField(label=_("Product"), max_length=200)
    parameters = forms.CharField(label=_("Parameters"), max_length=500)
    standard = forms.CharField(label=_("Standard"), max_length=200)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MoveForm(forms.Form):
    state = forms.CharField(widget=forms.HiddenInput)
    quote = forms.CharField(label=_("Quote"), required=False)
    reason = forms.CharField(label=_("Reason"), required=False)


class ReportForm(forms.Form):
    number = forms.CharField(label=_("Report number"), max_length=60)
    product = forms.CharField(label=_("Product"), max_length=200)
    sample = forms.CharField(label=_("Sample"), required=False)
    standards = forms.CharField(
        label=_("Standards"), help_text=_("One or more, comma separated.")
    )
    results = forms.CharField(
        label=_("Results"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line: parameter = value unit (e.g. 甲醛含量 = 35 mg/kg)."),
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        help_text=_("When the requirements depend on them, e.g. category=A."),
    )
    conclusion = forms.ChoiceField(
        label=_("Conclusion"), choices=TestReport.Conclusion.choices
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )


class VerifyForm(forms.Form):
    number = forms.CharField(label=_("Certificate or report number"), max_length=80)
