"""Staff forms of the sharing page: register a member instance, publish a kind."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qihub.organisations.models import Network
from qihub.organisations.widgets import OrganisationField
from qihub.sharing.models import SharedKind


class MemberRegisterForm(forms.Form):
    """A member instance by its base URL: its keys are read from it."""

    network = forms.ModelChoiceField(
        label=_("Network"), queryset=Network.objects.order_by("name_zh", "name_en")
    )
    # A plain text field: URLField would prepend http:// to whatever is typed;
    # the service checks the address and says what is wrong with it.
    base_url = forms.CharField(
        label=_("Base URL"),
        max_length=300,
        help_text=_(
            "Such as https://qihub.example.org; its public keys are read "
            "from /api/network/instance there."
        ),
    )
    name = forms.CharField(label=_("Name"), max_length=300, required=False)
    organisation = OrganisationField(
        label=_("Organisation represented"), required=False
    )


class IdentityForm(forms.Form):
    """This instance's base URL (as the other members reach it and as its
    feed entries are signed) and the organisation it represents."""

    base_url = forms.CharField(label=_("Base URL"), max_length=300)
    organisation = OrganisationField(
        label=_("Organisation represented"), required=False
    )


class PublishingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SharedKind.choices)
    enabled = forms.TypedChoiceField(
        label=_("Published"),
        choices=[("1", _("Publish")), ("0", _("Stop publishing"))],
        coerce=lambda value: value == "1",
    )
