"""Forms of the organisation and network pages. They parse input only: the
rules (credit code, region, duplicates, dates, the last administrator) are
the services', whose refusals the views show on the field they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qihub.organisations.models import (
    Designation,
    Membership,
    Network,
    NetworkMember,
    Organisation,
)
from qihub.organisations.widgets import OrganisationField


class DateInput(forms.DateInput):
    input_type = "date"


def _date(label, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DateInput)


class OrganisationForm(forms.Form):
    """Registering an organisation, or changing it (``organisation_update``)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Organisation.Kind.choices)
    name_zh = forms.CharField(label=_("Chinese name"), max_length=300, required=False)
    name_en = forms.CharField(label=_("English name"), max_length=300, required=False)
    credit_code = forms.CharField(
        label=_("Unified social credit code"),
        max_length=22,
        required=False,
        help_text=_(
            "18 characters (GB 32100); none for foreign and international bodies."
        ),
    )
    region = forms.CharField(
        label=_("Region code"),
        max_length=6,
        required=False,
        help_text=_(
            "GB/T 2260 code such as 510700 (Mianyang); left blank, it is read "
            "from the credit code."
        ),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False)
    contact_name = forms.CharField(
        label=_("Contact person"), max_length=100, required=False
    )
    contact_email = forms.CharField(
        label=_("Contact e-mail"), max_length=254, required=False
    )
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=40, required=False
    )

    @classmethod
    def for_organisation(cls, org: Organisation, data=None) -> OrganisationEditForm:
        initial = {name: getattr(org, name) for name in cls.base_fields}
        initial["region"] = org.region_id or ""
        return OrganisationEditForm(data, initial=initial)


class OrganisationEditForm(OrganisationForm):
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def changes(self) -> dict:
        """The fields whose value differs from what is registered."""
        data = dict(self.cleaned_data)
        data.pop("reason", None)
        return {k: v for k, v in data.items() if k in self.changed_data}


class DesignationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Designation"), choices=Designation.Kind.choices)
    issuing_authority = OrganisationField(
        label=_("Issuing authority"),
        required=False,
        kinds=(
            Organisation.Kind.GOVERNMENT,
            Organisation.Kind.CERTIFICATION_BODY,
            Organisation.Kind.STANDARDIZATION_INSTITUTE,
            Organisation.Kind.SOCIAL_ORGANISATION,
            Organisation.Kind.INTERNATIONAL,
        ),
    )
    number = forms.CharField(label=_("Number"), max_length=100, required=False)
    network = forms.ModelChoiceField(
        label=_("Centre or network"),
        queryset=Network.objects.order_by("name_zh", "id"),
        required=False,
        help_text=_("The centre a co-construction unit helps build."),
    )
    valid_from = _date(_("Valid from"))
    expires_on = _date(_("Expires on"), required=False)
    evidence = forms.FileField(label=_("Evidence file"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class UserAddForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )


class RoleForm(forms.Form):
    username = forms.CharField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class UserRemoveForm(forms.Form):
    username = forms.CharField(widget=forms.HiddenInput)


class NetworkForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Network.Kind.choices)
    name_zh = forms.CharField(label=_("Chinese name"), max_length=300, required=False)
    name_en = forms.CharField(label=_("English name"), max_length=300, required=False)
    organisation = OrganisationField(
        label=_("The network as an organisation"),
        required=False,
        help_text=_("A centre registered as an organisation of its own, if it is one."),
    )
    region = forms.CharField(label=_("Region code"), max_length=6, required=False)
    founded_on = _date(_("Founded on"), required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class NetworkMemberForm(forms.Form):
    organisation = OrganisationField(label=_("Organisation"))
    joined_on = _date(_("Joined on"))
    liaison_name = forms.CharField(
        label=_("Liaison person"), max_length=100, required=False
    )
    liaison_email = forms.CharField(
        label=_("Liaison e-mail"), max_length=254, required=False
    )
    liaison_phone = forms.CharField(
        label=_("Liaison phone"), max_length=40, required=False
    )


class _CurrentMemberField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.organisation.name


class MemberLeaveForm(forms.Form):
    member = _CurrentMemberField(
        label=_("Leaving member"), queryset=NetworkMember.objects.none()
    )
    left_on = _date(_("Left on"))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args, network: Network, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = network.members.filter(
            left_on__isnull=True
        ).select_related("organisation")


class SecretariatForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Secretariat"), queryset=Organisation.objects.none()
    )
    starts_on = _date(_("Term starts on"))
    ends_on = _date(_("Term ends on"), required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, network: Network, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            network_memberships__network=network,
            network_memberships__left_on__isnull=True,
        ).order_by("name_key")


class MeetingForm(forms.Form):
    held_on = _date(_("Held on"))
    title = forms.CharField(label=_("Title"), max_length=300)
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    minutes = forms.CharField(
        label=_("Minutes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    decisions = forms.CharField(
        label=_("Decisions"),
        required=False,
        help_text=_("One per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AnnouncementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    body = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
