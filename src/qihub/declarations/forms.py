"""Forms for the declaration pages; services do the real validation."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qihub.declarations.models import Indicator, SpotCheck
from qihub.organisations.models import Membership, Organisation
from qihub.organisations.widgets import OrganisationField


class RegisterForm(forms.Form):
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=30)
    name = forms.CharField(label=_("Enterprise name"), max_length=200)
    region = forms.CharField(label=_("Region"), max_length=100)
    industry = forms.CharField(label=_("Industry"), max_length=100)
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput, min_length=8
    )


class EnterpriseForm(forms.Form):
    """Staff register an organisation of the registry as a declaring enterprise."""

    organisation = OrganisationField(
        label=_("Organisation"), kinds=(Organisation.Kind.ENTERPRISE,)
    )
    industry = forms.CharField(label=_("Industry"), max_length=100)


class MemberForm(forms.Form):
    """An organisation administrator adds a colleague by username."""

    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial="member"
    )


class InspectorForm(forms.Form):
    name = forms.CharField(label=_("Inspector's name"), max_length=100)
    organisation = OrganisationField(label=_("Works for"))


class DeclarationForm(forms.Form):
    product_name = forms.CharField(label=_("Product or service name"), max_length=200)
    category = forms.CharField(label=_("Product category"), max_length=100)
    is_service = forms.BooleanField(label=_("This is a service"), required=False)
    standards = forms.CharField(
        label=_("Standards executed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One identifier per line: GB, GB/T, industry, group or your own Q/ standard."
        ),
    )
    effective_on = forms.DateField(
        label=_("Effective date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    q_standard_file = forms.FileField(
        label=_("Enterprise standard file (Q/)"), required=False
    )

    def standard_list(self) -> list[str]:
        text = self.cleaned_data.get("standards", "")
        return [
            line.strip()
            for line in text.replace(";", "\n").splitlines()
            if line.strip()
        ]


class IndicatorForm(forms.Form):
    parameter = forms.CharField(label=_("Parameter"), max_length=80, required=False)
    operator = forms.ChoiceField(
        label=_("Operator"), choices=Indicator.Operator.choices, required=False
    )
    value = forms.CharField(label=_("Value"), max_length=40, required=False)
    upper = forms.CharField(label=_("Upper value"), max_length=40, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    test_method = forms.CharField(
        label=_("Test method"), max_length=200, required=False
    )


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=0, min_num=5, max_num=30)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    share = forms.DecimalField(
        label=_("Share of each stratum"), min_value=0, max_value=1, initial="0.05"
    )
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        help_text=_("Leave empty for a fresh random seed."),
    )
    regions = forms.CharField(
        label=_("Regions (comma-separated, empty = all)"), required=False
    )
    industries = forms.CharField(
        label=_("Industries (comma-separated, empty = all)"), required=False
    )


class FindingForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Finding"),
        choices=[
            (SpotCheck.Outcome.CONFORMING, SpotCheck.Outcome.CONFORMING.label),
            (SpotCheck.Outcome.NONCONFORMING, SpotCheck.Outcome.NONCONFORMING.label),
        ],
    )
    items = forms.CharField(
        label=_("Non-conforming items (one per line)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    deadline = forms.DateField(
        label=_("Rectification deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ForerunnerForm(forms.Form):
    category = forms.CharField(label=_("Product category"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=200)
    leaders = forms.IntegerField(label=_("Number of leaders"), min_value=1, initial=3)
    indicators = forms.CharField(
        label=_("Core indicators"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'One per line: "parameter higher|lower [weight]", e.g. "formaldehyde lower 2".'
        ),
    )

    def indicator_list(self) -> list[dict]:
        result = []
        for line in self.cleaned_data.get("indicators", "").splitlines():
            parts = line.split()
            if not parts:
                continue
            result.append(
                {
                    "parameter": parts[0],
                    "direction": parts[1] if len(parts) > 1 else "",
                    "weight": parts[2] if len(parts) > 2 else 1,
                }
            )
        return result
