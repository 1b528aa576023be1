"""Admin for the lifecycle: staff read and adjust the workflow itself here.
Feedback moves on through the feedback service, as from its page, so each
step is checked and recorded; histories are read-only."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from qihub.core.admin import EventInline, ServiceWritesAdmin
from qihub.lifecycle import services
from qihub.lifecycle.models import (
    Ballot,
    Comment,
    Committee,
    CommitteeMember,
    Consultation,
    Feedback,
    FeedbackEvent,
    PatentDisclosure,
    PeriodicReview,
    Project,
    ProjectDraftingUnit,
    ProjectEvent,
    ResearchMilestone,
    ResearchProject,
    ResearchReview,
    State,
    Transition,
    Vote,
)


class CommitteeMemberInline(admin.TabularInline):
    model = CommitteeMember
    extra = 0
    raw_id_fields = ["user", "organisation"]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "level",
        "quorum",
        "approval_threshold",
    ]
    search_fields = ["code", "name_zh", "name_en"]
    inlines = [CommitteeMemberInline]


class TransitionInline(admin.TabularInline):
    model = Transition
    fk_name = "from_state"
    extra = 0


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_zh", "name_en", "order", "terminal", "active"]
    inlines = [TransitionInline]


@admin.register(Transition)
class TransitionAdmin(admin.ModelAdmin):
    list_display = ["from_state", "to_state", "slug", "label_en", "roles"]
    list_filter = ["from_state"]


class ProjectEventInline(EventInline):
    model = ProjectEvent
    fields = (
        "type",
        "created_at",
        "actor",
        "from_state",
        "to_state",
        "reason",
        "details",
    )
    readonly_fields = fields


class ProjectDraftingUnitInline(admin.TabularInline):
    """Shown in order; changed on the project's plan page, which records it."""

    model = ProjectDraftingUnit
    extra = 0
    fields = ["position", "organisation"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    """The state is changed only through the workflow service, never here."""

    list_display = ["code", "title_zh", "kind", "level", "state", "committee", "due_on"]
    list_filter = ["state", "kind", "level", "committee"]
    search_fields = ["code", "title_zh", "title_en", "identifier"]
    readonly_fields = [
        "code",
        "kind",
        "state",
        "standard",
        "replaces",
        "proposer",
        "research_projects",
    ]
    raw_id_fields = ["proposer_organisation"]
    inlines = [ProjectDraftingUnitInline, ProjectEventInline]

    def has_add_permission(self, request):
        # Projects are proposed through the pages or the API so that the
        # workflow and the timeline start properly.
        return False

    def has_delete_permission(self, request, obj=None):
        # A project is cancelled or closed through the workflow; its timeline,
        # consultations and ballots are public record.
        return False

    def save_model(self, request, obj, form, change):
        """Edits go through the service so the timeline records them."""
        fields = {
            name: form.cleaned_data[name]
            for name in form.changed_data
            if name in (*services.PROJECT_FIELDS, "committee", "draft_file")
        }
        if fields:
            services.project_update(project=obj, actor=request.user, **fields)


class CommentInline(admin.TabularInline):
    model = Comment
    extra = 0
    fields = ["number", "commenter", "clause", "type", "text", "resolution"]
    readonly_fields = fields


@admin.register(Consultation)
class ConsultationAdmin(admin.ModelAdmin):
    list_display = ["project", "opens_on", "closes_on", "status"]
    list_filter = ["status"]
    inlines = [CommentInline]

    def has_delete_permission(self, request, obj=None):
        return False  # the comments received are public record


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "consultation",
        "number",
        "commenter",
        "clause",
        "type",
        "resolution",
    ]
    list_filter = ["resolution", "type"]
    search_fields = ["commenter", "organisation_name", "text"]
    raw_id_fields = ["user", "resolved_by", "organisation"]

    def has_delete_permission(self, request, obj=None):
        return False  # a comment is resolved (accepted or not), never removed


class VoteInline(admin.TabularInline):
    model = Vote
    extra = 0
    raw_id_fields = ["voter"]


@admin.register(Ballot)
class BallotAdmin(admin.ModelAdmin):
    list_display = ["project", "committee", "status", "closes_on", "result"]
    list_filter = ["status", "result"]
    inlines = [VoteInline]

    def has_delete_permission(self, request, obj=None):
        return False  # votes cast are the committee's record


@admin.register(PatentDisclosure)
class PatentDisclosureAdmin(admin.ModelAdmin):
    list_display = [
        "patent_number",
        "holder",
        "holder_organisation",
        "licensing",
        "project",
        "standard",
    ]
    list_filter = ["licensing"]
    search_fields = ["patent_number", "holder"]
    raw_id_fields = ["project", "standard", "user", "holder_organisation"]

    def has_delete_permission(self, request, obj=None):
        # A disclosure is published with the project and the standard.
        return False


class MilestoneInline(admin.TabularInline):
    model = ResearchMilestone
    extra = 0


class ResearchReviewInline(admin.TabularInline):
    model = ResearchReview
    extra = 0


@admin.register(ResearchProject)
class ResearchProjectAdmin(admin.ModelAdmin):
    list_display = ["code", "title_zh", "programme", "status", "starts_on", "ends_on"]
    list_filter = ["status"]
    search_fields = ["code", "title_zh", "title_en", "lead_organisation__name_zh"]
    raw_id_fields = ["lead_organisation"]
    inlines = [MilestoneInline, ResearchReviewInline]


@admin.register(PeriodicReview)
class PeriodicReviewAdmin(admin.ModelAdmin):
    list_display = ["standard", "outcome", "decided_on"]
    list_filter = ["outcome"]
    raw_id_fields = ["standard", "revision_project", "actor"]

    def has_delete_permission(self, request, obj=None):
        # A review's outcome is a published decision on the standard.
        return False


class FeedbackEventInline(EventInline):
    model = FeedbackEvent
    fields = (
        "created_at",
        "type",
        "actor",
        "from_status",
        "to_status",
        "reason",
        "public",
        "details",
    )
    readonly_fields = fields


class FeedbackAdminForm(forms.ModelForm):
    """The handling step: a new status (and committee, response); the note is
    kept with the step in the feedback's history."""

    note = forms.CharField(
        label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    class Meta:
        model = Feedback
        fields = ["status", "committee", "response"]


@admin.register(Feedback)
class FeedbackAdmin(ServiceWritesAdmin):
    """Staff triage, assign, answer, reject or close feedback here through
    ``feedback_handle``; what the submitter sent is shown read-only, nothing
    is added here (the public form does that) and nothing is deleted."""

    form = FeedbackAdminForm
    list_display = ["tracking_number", "standard", "kind", "status", "committee"]
    list_filter = ["status", "kind"]
    search_fields = ["tracking_number", "subject", "name"]
    readonly_fields = [
        "tracking_number",
        "standard",
        "kind",
        "name",
        "organisation_name",
        "organisation",
        "email",
        "user",
        "clause",
        "subject",
        "body",
        "responded_at",
        "created_at",
    ]
    inlines = [FeedbackEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not form.changed_data:
            return
        data = form.cleaned_data
        services.feedback_handle(
            feedback=obj,
            actor=request.user,
            status=data["status"],
            committee=data["committee"],
            response=data["response"] or "",
            note=data["note"],
        )
