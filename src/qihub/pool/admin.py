"""Admin of the expert pool and held texts. Adding and changing go through
the services (the consent and identifier checks, the shared feed); a refusal
is a form error. Rows are never deleted: consent is withdrawn, a text
released."""

import copy

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from qihub.core.errors import ApplicationError
from qihub.pool import services
from qihub.pool.models import Expert, HeldText


def _checked_form(model, names, validate):
    class Form(forms.ModelForm):
        class Meta:
            fields = names

        def clean(self):
            data = super().clean()
            probe = copy.copy(self.instance)
            for name, value in data.items():
                setattr(probe, name, value)
            try:
                validate(probe)
            except ApplicationError as exc:
                raise forms.ValidationError(exc.message) from exc
            return data

    Form.Meta.model = model
    return Form


class _PoolAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Expert)
class ExpertAdmin(_PoolAdmin):
    form = _checked_form(Expert, services.EXPERT_FIELDS, services.expert_validate)
    list_display = ["name", "organisation", "fields", "listed", "consent_on"]
    list_filter = ["listed", "contact_shared"]
    search_fields = ["name_zh", "name_en", "fields"]
    fields = services.EXPERT_FIELDS
    actions = ["withdraw"]

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in services.EXPERT_FIELDS}
        if change:
            services.expert_update(expert=obj, actor=request.user, **values)
        else:
            obj.pk = services.expert_create(actor=request.user, **values).pk

    @admin.action(description=_("Record that the consent was withdrawn"))
    def withdraw(self, request, queryset):
        for expert in queryset:
            try:
                services.expert_consent_withdraw(expert=expert, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{expert}: {exc}", messages.ERROR)


@admin.register(HeldText)
class HeldTextAdmin(_PoolAdmin):
    list_display = ["identifier", "edition", "licence_scope", "standard", "released_on"]
    list_filter = ["licence_scope"]
    search_fields = ["identifier", "ident_key", "title"]
    fields = services.HELD_TEXT_FIELDS
    actions = ["release"]

    def get_form(self, request, obj=None, **kwargs):
        pk = obj.pk if obj else None
        kwargs["form"] = _checked_form(
            HeldText,
            services.HELD_TEXT_FIELDS,
            lambda t: services.held_text_validate(t, exclude_pk=pk),
        )
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in services.HELD_TEXT_FIELDS}
        if change:
            services.held_text_update(text=obj, actor=request.user, **values)
        else:
            obj.pk = services.held_text_create(actor=request.user, **values).pk

    @admin.action(description=_("No longer held"))
    def release(self, request, queryset):
        for text in queryset:
            try:
                services.held_text_release(text=text, actor=request.user)
            except ApplicationError as exc:
                self.message_user(request, f"{text}: {exc}", messages.ERROR)
