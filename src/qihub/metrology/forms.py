"""Forms of the metrology pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qihub.metrology.models import (
    CalibrationEvent,
    CompulsoryItem,
    Laboratory,
    MeasurementStandard,
    Use,
)
from qihub.organisations.widgets import OrganisationField


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class StandardStatusForm(forms.Form):
    """Change a standard's status; ``services.standard_set_status`` decides."""

    status = forms.ChoiceField(
        label=_("Status"), choices=MeasurementStandard.Status.choices
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when suspending or retiring."),
    )


class StandardReassessForm(forms.Form):
    """Record a re-assessment; ``services.standard_reassess`` decides."""

    certificate = forms.CharField(
        label=_("New assessment certificate number"),
        max_length=MeasurementStandard._meta.get_field(
            "assessment_certificate"
        ).max_length,
    )
    assessed_on = forms.DateField(
        label=_("Re-assessed on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The new certificate's validity counts from this day."),
    )


class InstrumentRetireForm(forms.Form):
    """Take an instrument out of use; ``services.instrument_retire`` decides."""

    on = forms.DateField(
        label=_("Taken out of use on"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "From this day it leaves the verification coverage and the reminders."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Scrapped, lost, withdrawn by its owner ..."),
    )

    def __init__(self, *args, **kwargs):
        # the page's chain date form has an ``on`` field as well
        kwargs.setdefault("auto_id", "id_retire_%s")
        super().__init__(*args, **kwargs)


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


def _date_input():
    return forms.DateInput(attrs={"type": "date"})


class InstrumentForm(forms.Form):
    """Register an instrument; ``services.instrument_register`` decides."""

    code = forms.CharField(label=_("Asset number"), max_length=80)
    name = forms.CharField(label=_("Name"), max_length=200)
    item_type = forms.ModelChoiceField(
        label=_("Type in the compulsory catalogue"),
        queryset=CompulsoryItem.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Not in the catalogue"),
    )
    use = forms.ChoiceField(label=_("Use"), choices=Use.choices)
    quantity = forms.CharField(
        label=_("Quantity"),
        max_length=60,
        help_text=_("As the measurement standards name it: pressure, mass ..."),
    )
    unit = forms.CharField(
        label=_("Unit"), max_length=30, help_text=_("kPa, kg, °C ...")
    )
    range_min = forms.FloatField(label=_("Range minimum"), required=False)
    range_max = forms.FloatField(label=_("Range maximum"), required=False)
    mpe = forms.FloatField(
        label=_("Maximum permissible error"),
        required=False,
        help_text=_("± in the instrument's unit; the tolerance for the TUR."),
    )
    accuracy_class = forms.CharField(
        label=_("Accuracy class"), max_length=40, required=False
    )
    maker = forms.CharField(label=_("Maker"), max_length=200, required=False)
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    serial = forms.CharField(label=_("Serial number"), max_length=100, required=False)
    owner = OrganisationField(
        label=_("Owner"),
        required=False,
        help_text=_(
            "The organisation that owns the instrument; search or register it."
        ),
    )
    owner_email = forms.EmailField(
        label=_("Owner e-mail"),
        required=False,
        help_text=_("Reminders of due verifications go to this address."),
    )
    region = forms.CharField(
        label=_("Region"),
        max_length=100,
        required=False,
        help_text=_("Where the instrument is used; coverage is counted per region."),
    )
    location = forms.CharField(label=_("Location"), max_length=300, required=False)
    registered_on = forms.DateField(
        label=_("Registered on"),
        required=False,
        widget=_date_input(),
        help_text=_("Today when left empty."),
    )


#: The fields of a calibration given by code (looked up before recording).
REFERENCES = (
    "instrument",
    "calibrated_standard",
    "reference_standard",
    "specification",
)


class CalibrationForm(forms.Form):
    """Record a calibration or verification; the codes are looked up and
    ``services.calibration_record`` decides."""

    certificate_number = forms.CharField(label=_("Certificate number"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=CalibrationEvent.Kind.choices)
    instrument = forms.CharField(
        label=_("Calibrated instrument (asset number)"),
        max_length=80,
        required=False,
        help_text=_("Give either an instrument or a measurement standard."),
    )
    calibrated_standard = forms.CharField(
        label=_("Calibrated standard (code)"), max_length=80, required=False
    )
    reference_standard = forms.CharField(
        label=_("Reference standard used (code)"),
        max_length=80,
        required=False,
        help_text=_(
            "The traceability link: its uncertainty is propagated to this certificate."
        ),
    )
    laboratory = forms.ModelChoiceField(
        label=_("Laboratory"),
        queryset=Laboratory.objects.all(),
        to_field_name="code",
    )
    specification = forms.CharField(
        label=_("Specification (JJG or JJF)"), max_length=100, required=False
    )
    performed_on = forms.DateField(label=_("Performed on"), widget=_date_input())
    valid_until = forms.DateField(label=_("Next due"), widget=_date_input())
    measured_error = forms.FloatField(label=_("Measured error"), initial=0.0)
    expanded_uncertainty = forms.FloatField(
        label=_("Expanded uncertainty U"), min_value=0
    )
    coverage_factor = forms.FloatField(label=_("Coverage factor k"), initial=2.0)
    conformity = forms.ChoiceField(
        label=_("Conformity"),
        choices=CalibrationEvent.Conformity.choices,
        required=False,
    )

    def references(self) -> dict:
        """The codes given, for ``selectors.calibration_references``."""
        return {name: self.cleaned_data[name] for name in REFERENCES}

    def service_arguments(self) -> dict:
        """The other ``calibration_record`` arguments."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in REFERENCES
        }
