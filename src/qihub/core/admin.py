from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from qihub.core.errors import ApplicationError
from qihub.core.models import ApiToken, AuditLog, ImportJob


class ServiceWritesAdmin(admin.ModelAdmin):
    """For admins whose ``save_model`` calls a domain service: a move the
    service refuses (``ApplicationError``) is shown as a message on the same
    form, and the admin's transaction has rolled back whatever it wrote."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.get_full_path())


class ReadOnlyMixin:
    """Nothing is added, edited or deleted through this admin or inline."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventInline(ReadOnlyMixin, admin.TabularInline):
    """A record's history (its ``core.events.Event`` rows) under the record:
    read only, since the services write events and nothing published is
    ever deleted."""

    extra = 0
    can_delete = False
    fields = ("created_at", "type", "actor", "reason", "details")
    readonly_fields = fields


class RecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """For records the domain services write (versions, citations, events,
    check runs): staff read them in the admin; nothing is added, edited or
    deleted here, so no rule of the services is bypassed and no history is
    lost."""


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "actor", "target", "ip_address")
    list_filter = ("action",)
    search_fields = ("target", "actor__username")
    readonly_fields = [f.name for f in AuditLog._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "revoked")
    list_filter = ("revoked",)
    readonly_fields = ("key_hash", "prefix", "created_at", "last_used_at")


@admin.register(ImportJob)
class ImportJobAdmin(RecordAdmin):
    """Uploaded imports, read only: they are started from the import pages or
    the API and run by the worker."""

    list_display = (
        "created_at",
        "kind",
        "file_name",
        "state",
        "dry_run",
        "rows_seen",
        "actor",
    )
    list_filter = ("kind", "state", "dry_run")
    search_fields = ("file_name", "summary", "actor__username")
    list_select_related = ("actor",)
    exclude = ("file",)  # deleted when the job ends; never served
