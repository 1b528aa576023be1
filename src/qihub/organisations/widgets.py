"""Picking an organisation in a form: search as you type (HTMX), or register
a new one inline with its credit code checked.

``OrganisationField`` is a ``ModelChoiceField`` whose widget renders a hidden
input holding the chosen organisation's id, a search box that asks
``organisations:pick`` for matches, and a button to register a new one
through ``organisations:pick_new`` (``organisation_create``, so the same
checks as everywhere). Domain forms use it for every party they name.
"""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string

from qihub.organisations.models import Organisation


class OrganisationPicker(forms.Widget):
    """Hidden id + HTMX search box; works without JavaScript as a plain id input."""

    template_name = "organisations/widgets/picker.html"

    def __init__(self, attrs=None, kinds: tuple[str, ...] = ()) -> None:
        super().__init__(attrs)
        self.kinds = kinds

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        org = None
        if value not in (None, ""):
            if isinstance(value, Organisation):
                org = value
            else:
                try:
                    org = Organisation.objects.filter(pk=int(value)).first()
                except (TypeError, ValueError):
                    org = None
        context["widget"].update(
            {
                "organisation": org,
                "field_id": attrs.get("id") if attrs else f"id_{name}",
                "kinds": ",".join(self.kinds),
            }
        )
        return context

    def value_from_datadict(self, data, files, name):
        return data.get(name) or None


def picker_html(
    *, name: str, field_id: str, organisation, kinds: str = "", results_html: str = ""
) -> str:
    """The widget as HTML, for the HTMX answers that swap it."""
    return render_to_string(
        "organisations/widgets/picker.html",
        {
            "widget": {
                "name": name,
                "field_id": field_id,
                "organisation": organisation,
                "value": organisation.pk if organisation else "",
                "kinds": kinds,
                "results_html": results_html,
                "attrs": {},
            }
        },
    )


class OrganisationField(forms.ModelChoiceField):
    """A form field naming one organisation, picked by search."""

    def __init__(self, *, kinds: tuple[str, ...] = (), **kwargs) -> None:
        kwargs.setdefault("queryset", Organisation.objects.all())
        kwargs.setdefault("widget", OrganisationPicker(kinds=kinds))
        super().__init__(**kwargs)
