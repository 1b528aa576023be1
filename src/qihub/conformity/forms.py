"""Forms of the conformity pages (input parsing only; services decide)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from qihub.conformity.models import Agreement, Scheme, TestReport
from qihub.core.errors import ApplicationError
from qihub.organisations.models import Organisation


def split_list(text: str) -> list[str]:
    """Items typed one per line or separated by commas (Chinese ones too)."""
    return [p.strip() for p in re.split(r"[,，;；\n]", text or "") if p.strip()]


def _body_by_code(code: str) -> Organisation:
    from qihub.conformity.services import body_by_code

    try:
        return body_by_code(code)
    except ApplicationError as exc:
        raise forms.ValidationError(exc.message) from exc


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


_CODE_HELP = _("Credit code, accreditation number or registry id.")


class SchemeForm(forms.Form):
    """A certification scheme; ``code`` only when it is created."""

    code = forms.CharField(label=_("Code"), max_length=40)
    name_zh = forms.CharField(label=_("Chinese name"), required=False)
    name_en = forms.CharField(label=_("English name"), required=False)
    standards = forms.CharField(
        label=_("Standards"),
        help_text=_("The standards it certifies against, comma separated."),
    )
    rules = forms.CharField(
        label=_("Rules"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    owner = forms.CharField(
        label=_("Scheme owner"), required=False, help_text=_CODE_HELP
    )
    validity_years = forms.IntegerField(label=_("Validity (years)"), initial=3)
    surveillance_months = forms.IntegerField(
        label=_("Surveillance interval (months)"), initial=12
    )

    def __init__(self, *args, scheme: Scheme | None = None, **kwargs):
        if scheme is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name_zh": scheme.name_zh,
                    "name_en": scheme.name_en,
                    "standards": ", ".join(
                        s.identifier for s in scheme.standards.all()
                    ),
                    "rules": scheme.rules,
                    "owner": scheme.owner.credit_code or scheme.owner_id
                    if scheme.owner_id
                    else "",
                    "validity_years": scheme.validity_years,
                    "surveillance_months": scheme.surveillance_months,
                },
            )
        super().__init__(*args, **kwargs)
        if scheme is not None:
            del self.fields["code"]

    def clean_standards(self) -> list[str]:
        return split_list(self.cleaned_data["standards"])

    def clean_owner(self) -> Organisation | None:
        code = self.cleaned_data["owner"].strip()
        return _body_by_code(code) if code else None


class AgreementForm(forms.Form):
    """A recognition agreement, its scope and validity."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Agreement.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    bodies = forms.CharField(
        label=_("Bodies covered"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line or comma separated: %(help)s") % {"help": _CODE_HELP},
    )
    markets = forms.CharField(
        label=_("Markets"), help_text=_("Comma separated, e.g. CN, DE, EU.")
    )
    products = forms.CharField(
        label=_("Product categories"),
        required=False,
        help_text=_("Comma separated; empty: every product."),
    )
    standards = forms.CharField(
        label=_("Standards"),
        required=False,
        help_text=_("Comma separated; empty: every standard."),
    )
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, agreement: Agreement | None = None, **kwargs):
        if agreement is not None:
            kwargs.setdefault(
                "initial",
                {
                    "kind": agreement.kind,
                    "name": agreement.name,
                    "bodies": "\n".join(
                        b.credit_code or str(b.pk) for b in agreement.bodies.all()
                    ),
                    "markets": ", ".join(agreement.markets),
                    "products": ", ".join(agreement.products),
                    "standards": ", ".join(
                        s.identifier for s in agreement.standards.all()
                    ),
                    "valid_from": agreement.valid_from,
                    "valid_until": agreement.valid_until,
                },
            )
        super().__init__(*args, **kwargs)

    def clean_bodies(self) -> list[Organisation]:
        return [_body_by_code(code) for code in split_list(self.cleaned_data["bodies"])]

    def clean_markets(self) -> list[str]:
        return split_list(self.cleaned_data["markets"])

    def clean_products(self) -> list[str]:
        return split_list(self.cleaned_data["products"])

    def clean_standards(self) -> list[str]:
        return split_list(self.cleaned_data["standards"])


class ApplicationForm(forms.Form):
    """Apply under a scheme for one of the user's organisations."""

    applicant = forms.ModelChoiceField(
        label=_("Applicant"), queryset=Organisation.objects.none()
    )
    body = forms.ModelChoiceField(
        label=_("Certification body"), queryset=Organisation.objects.none()
    )
    products = forms.CharField(label=_("Products"), max_length=300)
    models_text = forms.CharField(
        label=_("Models"),
        max_length=300,
        required=False,
        help_text=_("Models or types covered, comma separated."),
    )
    standard = forms.CharField(label=_("Standard"), max_length=200)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, scheme: Scheme, applicants, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = applicants
        only = list(applicants[:2])
        if len(only) == 1:
            self.fields["applicant"].initial = only[0].pk
        self.fields["body"].queryset = bodies
        idents = [s.identifier for s in scheme.standards.all()]
        self.fields["standard"].help_text = _("The scheme certifies against: %(s)s") % {
            "s": ", ".join(idents)
        }
        if idents:
            self.fields["standard"].initial = idents[0]
