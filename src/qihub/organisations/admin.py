"""The organisations admin. Organisations, designations, networks, meetings,
announcements and memberships are added (and organisations and roles
changed) through the services, checked and recorded as from the pages and
the API; a refusal is shown as a message and saves nothing. Nothing here is
deleted except a user's membership (``membership_remove``, which keeps the
last administrator); members join and leave networks and secretariat terms
are assigned on the network's page or through the API, so the inlines only
show them. Regions (GB/T 2260) and the history are read-only."""

from django import forms
from django.contrib import admin, messages
from django.forms.models import construct_instance
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from qihub.core.admin import ReadOnlyMixin, RecordAdmin, ServiceWritesAdmin
from qihub.core.errors import ApplicationError
from qihub.organisations import selectors, services
from qihub.organisations.models import (
    Announcement,
    Designation,
    Meeting,
    Membership,
    Network,
    NetworkMember,
    NetworkTally,
    Organisation,
    OrganisationEvent,
    Region,
    SecretariatTerm,
)


def _construct(form: forms.ModelForm) -> None:
    """Fill the form's instance without the model's validation."""
    form.instance = construct_instance(
        form, form.instance, form._meta.fields, form._meta.exclude
    )


class _ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


class _ReadOnlyAdmin(RecordAdmin):
    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]


class ProvinceFilter(admin.SimpleListFilter):
    """Organisations in a province-level division (any city or county in it)."""

    title = _("province")
    parameter_name = "province"

    def lookups(self, request, model_admin):
        return [
            (r.code, r.name)
            for r in Region.objects.filter(level=Region.Level.PROVINCE).order_by("code")
        ]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(selectors.region_q(self.value()))
        return queryset


class RegionLevelFilter(admin.SimpleListFilter):
    """Organisations registered at a province, a city or a county."""

    title = _("region level")
    parameter_name = "region_level"

    def lookups(self, request, model_admin):
        return Region.Level.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(region__level=self.value())
        return queryset


class DesignationInline(_ReadOnlyInline):
    model = Designation
    fk_name = "organisation"
    fields = ["kind", "issuing_authority", "number", "valid_from", "expires_on"]
    verbose_name_plural = _("designations (added under Designations)")


class MembershipInline(_ReadOnlyInline):
    model = Membership
    fields = ["user", "role", "created_at"]
    verbose_name_plural = _("users (added under Memberships)")


#: The arguments of ``services.organisation_create`` an admin gives.
ORGANISATION_FIELDS = [
    "kind",
    "name_zh",
    "name_en",
    "credit_code",
    "region",
    "address",
    "website",
    "contact_name",
    "contact_email",
    "contact_phone",
    "former_names",
]


class OrganisationAdminForm(forms.ModelForm):
    """Field checks are the services' (credit code, duplicates, region)."""

    class Meta:
        model = Organisation
        fields = ORGANISATION_FIELDS

    def _post_clean(self):
        # The model's own validation (unique name key, URL and e-mail
        # fields) would run before the service, with other messages; the
        # service checks all of it and names the field.
        _construct(self)


@admin.register(Organisation)
class OrganisationAdmin(ServiceWritesAdmin):
    form = OrganisationAdminForm
    list_display = ["name", "kind", "region", "credit_code"]
    list_filter = ["kind", RegionLevelFilter, ProvinceFilter]
    search_fields = ["name_zh"]
    raw_id_fields = ["region"]
    fields = ORGANISATION_FIELDS
    inlines = [DesignationInline, MembershipInline]
    list_select_related = ["region"]

    def get_search_results(self, request, queryset, search_term):
        # The registry's own search: any name fragment, former names, a
        # credit code in any spelling.
        if not search_term.strip():
            return queryset, False
        found = selectors.organisation_search(q=search_term)
        return queryset.filter(pk__in=found.values("pk")), False

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data.get(name) for name in ORGANISATION_FIELDS}
        data["former_names"] = data.get("former_names") or []
        if not change:
            saved = services.organisation_create(actor=request.user, **data)
            obj.pk = saved.pk
            return
        current = Organisation.objects.get(pk=obj.pk)
        changes = {name: data[name] for name in form.changed_data if name in data}
        services.organisation_update(
            actor=request.user, organisation=current, **changes
        )

    def has_delete_permission(self, request, obj=None):
        # Other domains' records point to organisations: never deleted.
        return False


#: The arguments of ``services.designation_add`` an admin gives.
DESIGNATION_FIELDS = [
    "organisation",
    "kind",
    "issuing_authority",
    "number",
    "network",
    "valid_from",
    "expires_on",
    "evidence",
    "note",
]


class DesignationAdminForm(forms.ModelForm):
    class Meta:
        model = Designation
        fields = DESIGNATION_FIELDS

    def _post_clean(self):
        # The check constraint (expiry after start) is the service's, which
        # names the field.
        _construct(self)


@admin.register(Designation)
class DesignationAdmin(ServiceWritesAdmin):
    """Added through ``designation_add``; a recorded designation is shown only
    (a renewal is a new designation, an ended one keeps its expiry day)."""

    form = DesignationAdminForm
    list_display = ["organisation", "kind", "number", "valid_from", "expires_on"]
    list_filter = ["kind"]
    search_fields = ["organisation__name_zh", "organisation__name_en", "number"]
    raw_id_fields = ["organisation", "issuing_authority"]
    fields = DESIGNATION_FIELDS
    list_select_related = ["organisation"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else DESIGNATION_FIELDS

    def save_model(self, request, obj, form, change):
        if change:
            return
        saved = services.designation_add(
            actor=request.user,
            **{name: form.cleaned_data.get(name) for name in DESIGNATION_FIELDS},
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


class NetworkMemberInline(_ReadOnlyInline):
    model = NetworkMember
    fields = ["organisation", "joined_on", "left_on", "liaison_name", "liaison_email"]
    verbose_name_plural = _(
        "members (they join and leave on the network's page or through the API)"
    )


class SecretariatTermInline(_ReadOnlyInline):
    model = SecretariatTerm
    fields = ["organisation", "starts_on", "ends_on", "note"]
    verbose_name_plural = _(
        "secretariat terms (assigned on the network's page or through the API)"
    )


#: The arguments of ``services.network_create`` an admin gives.
NETWORK_FIELDS = [
    "kind",
    "name_zh",
    "name_en",
    "organisation",
    "region",
    "founded_on",
    "description",
]


@admin.register(Network)
class NetworkAdmin(ServiceWritesAdmin):
    """Registered through ``network_create``; afterwards shown only (its
    members, terms, meetings and announcements are recorded on its page)."""

    list_display = ["name", "kind", "region", "founded_on"]
    list_filter = ["kind"]
    search_fields = ["name_zh", "name_en"]
    raw_id_fields = ["organisation", "region"]
    fields = NETWORK_FIELDS
    inlines = [NetworkMemberInline, SecretariatTermInline]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else NETWORK_FIELDS

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = {name: form.cleaned_data.get(name) for name in NETWORK_FIELDS}
        saved = services.network_create(actor=request.user, **data)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


MEETING_FIELDS = ["network", "held_on", "title", "place", "minutes", "decisions"]


@admin.register(Meeting)
class MeetingAdmin(ServiceWritesAdmin):
    """Recorded through ``meeting_record``; then shown only."""

    list_display = ["held_on", "title", "network"]
    list_filter = ["network"]
    search_fields = ["title", "minutes"]
    fields = MEETING_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else MEETING_FIELDS

    def save_model(self, request, obj, form, change):
        if change:
            return
        saved = services.meeting_record(
            actor=request.user,
            **{name: form.cleaned_data.get(name) for name in MEETING_FIELDS},
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


ANNOUNCEMENT_FIELDS = ["network", "title", "body"]


@admin.register(Announcement)
class AnnouncementAdmin(ServiceWritesAdmin):
    """Published through ``announcement_publish``; then shown only."""

    list_display = ["published_at", "title", "network"]
    list_filter = ["network"]
    search_fields = ["title", "body"]
    fields = ANNOUNCEMENT_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ANNOUNCEMENT_FIELDS

    def save_model(self, request, obj, form, change):
        if change:
            return
        saved = services.announcement_publish(
            actor=request.user,
            **{name: form.cleaned_data.get(name) for name in ANNOUNCEMENT_FIELDS},
        )
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(ServiceWritesAdmin):
    """Users of organisations: added with ``membership_add``, their role
    changed with ``membership_set_role``, removed with ``membership_remove``
    (the last administrator of an organisation stays)."""

    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "organisation__name_zh"]
    raw_id_fields = ["user", "organisation"]
    fields = ["user", "organisation", "role"]
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["user", "organisation"]

    def save_model(self, request, obj, form, change):
        if change:
            current = Membership.objects.select_related("user", "organisation").get(
                pk=obj.pk
            )
            services.membership_set_role(
                actor=request.user, membership=current, role=form.cleaned_data["role"]
            )
            return
        saved = services.membership_add(
            actor=request.user,
            organisation=form.cleaned_data["organisation"],
            user=form.cleaned_data["user"],
            role=form.cleaned_data["role"],
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.membership_remove(actor=request.user, membership=obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.get_full_path())


@admin.register(OrganisationEvent)
class OrganisationEventAdmin(_ReadOnlyAdmin):
    list_display = ["created_at", "type", "organisation", "network", "actor"]
    list_filter = ["type"]
    search_fields = ["organisation__name_zh", "network__name_zh", "reason"]
    list_select_related = ["organisation", "network", "actor"]


@admin.register(Region)
class RegionAdmin(_ReadOnlyAdmin):
    list_display = ["code", "name_zh", "name_en", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(NetworkTally)
class NetworkTallyAdmin(_ReadOnlyAdmin):
    """Large networks' kept counts: when, how long a recount takes, stale."""

    list_display = ["network", "counted_at", "count_ms", "stale", "queued_at"]
    list_filter = ["stale"]
    list_select_related = ["network"]
    exclude = ["metrics"]
