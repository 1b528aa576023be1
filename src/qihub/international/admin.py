"""The international admin. Technical bodies, posts, projects, courses and
trainees are added through the services (reference parsed, stage code and
post term checked, events recorded); a refusal is shown as a message and
saves nothing. Afterwards only descriptive fields are edited here; a
project's stage moves through ``project_set_stage``. Nothing is deleted
here. TBT notifications come from ``qihub import-tbt`` and are read only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from qihub.core.admin import ServiceWritesAdmin
from qihub.international import services
from qihub.international.models import (
    InternationalEvent,
    InternationalProject,
    Post,
    TbtMatch,
    TbtNotification,
    TechnicalBody,
    Trainee,
    TrainingCourse,
)


def _actor(request):
    return request.user


class _NoDelete:
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TechnicalBody)
class TechnicalBodyAdmin(_NoDelete, ServiceWritesAdmin):
    list_display = ("reference", "title_en", "title_zh", "mirror_name")
    search_fields = ("reference", "title_en", "title_zh")
    fields = (
        "reference",
        "title_en",
        "title_zh",
        "mirror_committee",
        "mirror_name",
        "mirror_organisation",
    )
    autocomplete_fields = ("mirror_organisation",)

    def get_readonly_fields(self, request, obj=None):
        return ("reference",) if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        created = services.body_register(
            actor=_actor(request),
            reference=obj.reference,
            title_en=obj.title_en,
            title_zh=obj.title_zh,
            mirror_committee=obj.mirror_committee,
            mirror_name=obj.mirror_name,
            mirror_organisation=obj.mirror_organisation,
        )
        obj.pk = created.pk


@admin.register(Post)
class PostAdmin(_NoDelete, ServiceWritesAdmin):
    list_display = (
        "body",
        "role",
        "person_name",
        "organisation",
        "term_start",
        "term_end",
    )
    list_filter = ("role",)
    search_fields = ("person_name", "body__reference", "organisation__name_zh")
    fields = ("body", "role", "person_name", "organisation", "term_start", "term_end")
    autocomplete_fields = ("organisation",)

    def get_readonly_fields(self, request, obj=None):
        return ("body", "role", "organisation") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        created = services.post_assign(
            actor=_actor(request),
            body=obj.body,
            role=obj.role,
            organisation=obj.organisation,
            person_name=obj.person_name,
            term_start=obj.term_start,
            term_end=obj.term_end,
        )
        obj.pk = created.pk


@admin.register(InternationalProject)
class InternationalProjectAdmin(_NoDelete, ServiceWritesAdmin):
    list_display = ("reference", "stage", "leading_organisation", "standard")
    list_filter = ("stage",)
    search_fields = ("reference", "title_en", "title_zh")
    fields = (
        "reference",
        "stage",
        "title_en",
        "title_zh",
        "body",
        "leading_organisation",
        "leader_name",
        "participants",
        "proposed_on",
        "target_dis_on",
        "target_publication_on",
        "standard",
    )
    autocomplete_fields = ("leading_organisation", "participants", "standard")
    actions = ["refresh_adoption"]

    def get_readonly_fields(self, request, obj=None):
        return ("reference", "stage") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        created = services.project_register(
            actor=_actor(request),
            reference=obj.reference,
            stage=obj.stage,
            title_en=obj.title_en,
            title_zh=obj.title_zh,
            body=obj.body,
            leading_organisation=obj.leading_organisation,
            leader_name=obj.leader_name,
            proposed_on=obj.proposed_on,
            target_dis_on=obj.target_dis_on,
            target_publication_on=obj.target_publication_on,
            standard=obj.standard,
        )
        obj.pk = created.pk
        obj._state.adding = False

    @admin.action(description=_("Link the domestic adoption from the catalogue"))
    def refresh_adoption(self, request, queryset):
        for project in queryset:
            services.project_set_stage(
                actor=_actor(request),
                project=project,
                stage=project.stage,
                on=project.stage_on,
                reason=str(_("domestic adoption refreshed")),
            )


@admin.register(TrainingCourse)
class TrainingCourseAdmin(_NoDelete, ServiceWritesAdmin):
    list_display = ("title", "training_base", "starts_on", "ends_on")
    fields = ("title", "training_base", "starts_on", "ends_on")
    autocomplete_fields = ("training_base",)

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        created = services.course_create(
            actor=_actor(request),
            title=obj.title,
            training_base=obj.training_base,
            starts_on=obj.starts_on,
            ends_on=obj.ends_on,
        )
        obj.pk = created.pk


@admin.register(Trainee)
class TraineeAdmin(_NoDelete, ServiceWritesAdmin):
    list_display = ("person_name", "organisation", "course", "certificate_number")
    search_fields = ("person_name", "certificate_number")
    fields = (
        "course",
        "person_name",
        "organisation",
        "certificate_number",
        "completed_on",
    )
    autocomplete_fields = ("organisation",)

    def get_readonly_fields(self, request, obj=None):
        return ("course", "certificate_number", "completed_on") if obj else ()

    def save_model(self, request, obj, form, change):
        if change:
            obj.save()
            return
        created = services.trainee_enrol(
            actor=_actor(request),
            course=obj.course,
            person_name=obj.person_name,
            organisation=obj.organisation,
            certificate_number=obj.certificate_number,
            completed_on=obj.completed_on,
        )
        obj.pk = created.pk


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TbtNotification)
class TbtNotificationAdmin(_ReadOnly):
    list_display = ("symbol", "member", "distributed_on", "comment_deadline")
    search_fields = ("symbol", "member", "products")
    date_hierarchy = "distributed_on"


@admin.register(TbtMatch)
class TbtMatchAdmin(_ReadOnly):
    list_display = ("notification", "kind", "ics_code", "standard", "organisation")
    list_filter = ("kind",)
    list_select_related = ("notification", "standard", "organisation")


@admin.register(InternationalEvent)
class InternationalEventAdmin(_ReadOnly):
    list_display = ("created_at", "type", "actor", "project", "body")
    list_filter = ("type",)
