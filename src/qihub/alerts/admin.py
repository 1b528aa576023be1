"""The alerts admin: watches, inbox items, digest settings and job runs are
read here; watches are removed and the job is run through the services."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from qihub.alerts import services
from qihub.alerts.models import AlertRun, DigestSetting, InboxItem, Watch
from qihub.core.admin import RecordAdmin
from qihub.core.errors import ApplicationError


@admin.register(Watch)
class WatchAdmin(RecordAdmin):
    list_display = ("kind", "label", "user", "organisation", "created_at")
    list_filter = ("kind",)
    search_fields = ("key", "label", "user__username", "organisation__name")
    actions = ["unfollow", "run_alerts"]

    @admin.action(description=_("Unfollow (delete the selected watches)"))
    def unfollow(self, request, queryset):
        for watch in queryset:
            try:
                services.watch_delete(actor=request.user, watch=watch)
            except ApplicationError as exc:
                self.message_user(request, str(exc), messages.ERROR)

    @admin.action(description=_("Run the daily alert job now"))
    def run_alerts(self, request, queryset):
        report = services.alerts_daily()
        self.message_user(
            request,
            _("%(items)d inbox items, %(mails)d digests.")
            % {"items": report.items, "mails": report.mails},
        )


@admin.register(InboxItem)
class InboxItemAdmin(RecordAdmin):
    list_display = ("subject", "kind", "user", "created_at", "read_at", "emailed_at")
    list_filter = ("kind",)
    search_fields = ("subject", "user__username")


@admin.register(DigestSetting)
class DigestSettingAdmin(RecordAdmin):
    list_display = ("user", "digest", "unsubscribed_at")


@admin.register(AlertRun)
class AlertRunAdmin(RecordAdmin):
    list_display = ("created_at", "day", "changed", "items", "mails", "seconds")
