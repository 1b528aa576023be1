"""Forms for the machine-readable standards pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qihub.requirements.models import Requirement


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Full-text file"),
        help_text=_("NISO/ISO STS XML, or the YAML / Markdown authoring format."),
    )
    replace = forms.BooleanField(label=_("Replace existing full text"), required=False)


class CheckForm(forms.Form):
    standards = forms.CharField(
        label=_("Standards"),
        help_text=_("Identifiers, one per line or separated by commas."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    values = forms.CharField(
        label=_("Product values"),
        help_text=_("One per line: parameter = value unit, e.g. 甲醛含量 = 0.02 g/kg"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        help_text=_("e.g. age_group=infant, class=A"),
    )


class CompareForm(forms.Form):
    a = forms.CharField(
        label=_("Standard A"), help_text=_("e.g. an enterprise standard")
    )
    b = forms.CharField(
        label=_("Standard B"), help_text=_("e.g. the mandatory national standard")
    )


class CorrectForm(forms.Form):
    operator = forms.ChoiceField(
        label=_("Operator"), choices=Requirement.Operator.choices
    )
    value = forms.CharField(label=_("Limit"), required=False)
    upper = forms.CharField(label=_("Upper limit"), required=False)
    unit = forms.CharField(label=_("Unit"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Requirement.Kind.choices)
    subject = forms.CharField(label=_("Subject"), required=False)
    conditions = forms.CharField(label=_("Conditions"), required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"))


class RequirementFilterForm(forms.Form):
    standard = forms.CharField(label=_("Standard"), required=False)
    subject = forms.CharField(label=_("Product category"), required=False)
    parameter = forms.CharField(label=_("Parameter"), required=False)
