"""Forms of the lifecycle pages; they validate input, services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qihub.catalog.identifiers import compact_key
from qihub.catalog.models import Standard
from qihub.catalog.selectors import standard_get_by_identifier
from qihub.core.errors import ApplicationError
from qihub.lifecycle import selectors
from qihub.lifecycle.models import (
    Comment,
    Committee,
    CommitteeMember,
    Feedback,
    PatentDisclosure,
    PeriodicReview,
    Project,
    ResearchProject,
    ResearchReview,
    Vote,
)
from qihub.organisations.widgets import OrganisationField

DATE = forms.DateInput(attrs={"type": "date"})
DRAFT_EXTENSIONS = ("pdf", "docx", "doc", "odt", "txt", "md", "xml")
DRAFT_MAX_BYTES = 40 * 2**20
#: Empty drafting-unit pickers offered after the ones filled in.
SPARE_DRAFTING_SLOTS = 3
MIN_DRAFTING_SLOTS = 5


def drafting_slot(i: int) -> str:
    return f"drafting_unit_{i}"


class ProjectForm(forms.Form):
    """A project's plan. Drafting units are an ordered list of organisation
    pickers (``drafting_unit_1`` is the first drafting unit); blank pickers
    are skipped, so leaving a gap does not change the order of the others.
    ``cleaned_data["drafting_units"]`` is the list of organisations in order.
    Save with all pickers filled to get more."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Project.Kind.choices)
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[
            c for c in Standard.Level.choices if c[0] != Standard.Level.INTERNATIONAL
        ],
    )
    title_zh = forms.CharField(label=_("Chinese title"), max_length=500, required=False)
    title_en = forms.CharField(label=_("English title"), max_length=500, required=False)
    replaces = forms.CharField(
        label=_("Revises standard (identifier)"),
        max_length=200,
        required=False,
        help_text=_("For a revision, e.g. GB 31701-2015."),
    )
    identifier = forms.CharField(
        label=_("Standard number to publish under"), max_length=200, required=False
    )
    committee = forms.ModelChoiceField(
        label=_("Responsible committee"),
        queryset=Committee.objects.all(),
        required=False,
    )
    ics = forms.CharField(label=_("ICS codes"), max_length=200, required=False)
    scope = forms.CharField(label=_("Scope"), widget=forms.Textarea, required=False)
    proposer_organisation = OrganisationField(
        label=_("Proposing organisation"), required=False
    )
    drafters = forms.CharField(
        label=_("Drafters"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    planned_consultation_on = forms.DateField(
        label=_("Planned draft for comments"), widget=DATE, required=False
    )
    planned_submission_on = forms.DateField(
        label=_("Planned submission"), widget=DATE, required=False
    )
    due_on = forms.DateField(
        label=_("Planned publication"), widget=DATE, required=False
    )
    implementation_months = forms.IntegerField(
        label=_("Months from issue to implementation"),
        min_value=0,
        max_value=60,
        initial=6,
    )
    research_projects = forms.ModelMultipleChoiceField(
        label=_("Research projects"),
        queryset=ResearchProject.objects.all(),
        required=False,
    )

    def __init__(self, *args, drafting_units=(), **kwargs):
        super().__init__(*args, **kwargs)
        units = list(drafting_units)
        data = self.data if self.is_bound else {}
        posted = sum(1 for key in data if key.startswith("drafting_unit_"))
        count = max(len(units) + SPARE_DRAFTING_SLOTS, MIN_DRAFTING_SLOTS, posted)
        # The pickers go right after the proposing organisation.
        fields = list(self.fields.items())
        at = [name for name, _field in fields].index("proposer_organisation") + 1
        slots = []
        for i in range(1, count + 1):
            field = OrganisationField(
                label=_("Drafting unit %(n)d") % {"n": i}, required=False
            )
            if i == 1:
                field.help_text = _("The first drafting unit.")
            if i <= len(units):
                self.initial.setdefault(drafting_slot(i), units[i - 1])
            slots.append((drafting_slot(i), field))
        self.fields = dict(fields[:at] + slots + fields[at:])
        self.drafting_slots = [name for name, _field in slots]

    def clean(self):
        cleaned = super().clean()
        units = []
        for name in self.drafting_slots:
            org = cleaned.pop(name, None)
            if org is None:
                continue
            if org in units:
                self.add_error(
                    name,
                    _("%(org)s is listed twice among the drafting units.")
                    % {"org": org.name},
                )
                continue
            units.append(org)
        cleaned["drafting_units"] = units
        return cleaned

    def drafting_units_changed(self) -> bool:
        return any(name in self.changed_data for name in self.drafting_slots)

    def clean_replaces(self):
        text = self.cleaned_data["replaces"].strip()
        if not text:
            return None
        standard = standard_get_by_identifier(text) or (
            Standard.objects.filter(ident_key=compact_key(text)).first()
        )
        if standard is None:
            raise forms.ValidationError(
                _("%(id)s is not in the catalogue.") % {"id": text}
            )
        return standard


class ProjectDraftForm(forms.Form):
    identifier = forms.CharField(
        label=_("Standard number to publish under"), max_length=200, required=False
    )
    draft_file = forms.FileField(label=_("Draft file"), required=False)
    draft_text = forms.CharField(
        label=_("Machine-readable draft"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        help_text=_("Plain text, one numbered clause per paragraph (e.g. '4.1 ...')."),
    )

    def clean_draft_file(self):
        upload = self.cleaned_data.get("draft_file")
        if upload is None:
            return upload
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in DRAFT_EXTENSIONS:
            raise forms.ValidationError(
                _("Upload the draft as %(ext)s.") % {"ext": ", ".join(DRAFT_EXTENSIONS)}
            )
        if upload.size > DRAFT_MAX_BYTES:
            raise forms.ValidationError(
                _("The draft file is larger than %(mb)d MB.")
                % {"mb": DRAFT_MAX_BYTES // 2**20}
            )
        return upload


class TransitionForm(forms.Form):
    to_state = forms.SlugField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("Comment"), required=False)
    deadline = forms.DateField(label=_("Deadline"), widget=DATE, required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE, required=False)


class CommentForm(forms.Form):
    commenter = forms.CharField(label=_("Your name"), max_length=200, required=False)
    organisation_name = forms.CharField(
        label=_("Organisation"), max_length=300, required=False
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    clause = forms.CharField(label=_("Clause/subclause"), max_length=60, required=False)
    paragraph = forms.CharField(
        label=_("Paragraph/figure/table"), max_length=100, required=False
    )
    type = forms.ChoiceField(label=_("Type of comment"), choices=Comment.Type.choices)
    text = forms.CharField(label=_("Comment"), widget=forms.Textarea)
    proposed_change = forms.CharField(
        label=_("Proposed change"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, clauses=None, **kwargs):
        super().__init__(*args, **kwargs)
        if clauses:
            self.fields["clause"] = forms.ChoiceField(
                label=_("Clause/subclause"),
                required=False,
                choices=[("", _("General / whole document"))]
                + [(c.ref, f"{c.ref} {c.heading}"[:80]) for c in clauses],
            )


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Decision"),
        choices=[c for c in Comment.Resolution.choices if c[0] != "pending"],
    )
    observations = forms.CharField(
        label=_("Observations of the committee"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Vote"), choices=Vote.Choice.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comments"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class PatentForm(forms.Form):
    patent_number = forms.CharField(label=_("Patent number"), max_length=100)
    title = forms.CharField(label=_("Patent title"), max_length=500, required=False)
    holder = forms.CharField(label=_("Patent holder"), max_length=300)
    licensing = forms.ChoiceField(
        label=_("Licensing declaration"),
        choices=PatentDisclosure.Licensing.choices,
        widget=forms.RadioSelect,
    )
    declarant = forms.CharField(label=_("Your name"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Feedback.Kind.choices)
    name = forms.CharField(label=_("Your name"), max_length=200, required=False)
    organisation_name = forms.CharField(
        label=_("Organisation"), max_length=300, required=False
    )
    email = forms.EmailField(label=_("E-mail"), required=False)
    clause = forms.CharField(label=_("Clause"), max_length=60, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    body = forms.CharField(label=_("Description"), widget=forms.Textarea)


class FeedbackHandleForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Feedback.Status.choices)
    committee = forms.ModelChoiceField(
        label=_("Assign to committee"), queryset=Committee.objects.all(), required=False
    )
    response = forms.CharField(
        label=_("Response to the submitter"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    note = forms.CharField(label=_("Internal note"), required=False)


class PeriodicReviewForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=PeriodicReview.Outcome.choices
    )
    reason = forms.CharField(label=_("Reason"), required=False)


class ResearchReviewForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ResearchReview.Kind.choices)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=ResearchReview.Outcome.choices
    )
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    panel = forms.CharField(label=_("Expert panel"), max_length=500, required=False)
    conclusion = forms.CharField(
        label=_("Conclusion"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("Milestone"), max_length=300)
    due_on = forms.DateField(label=_("Due on"), widget=DATE, required=False)
    reached_on = forms.DateField(label=_("Reached on"), widget=DATE, required=False)


def _fraction(label, initial: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        initial=initial,
        min_value=0,
        max_value=1,
        max_digits=4,
        decimal_places=3,
        help_text=_("A fraction between 0 and 1, e.g. 0.75."),
    )


class CommitteeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"), max_length=60, help_text=_("For example SAC/TC 176.")
    )
    name_zh = forms.CharField(label=_("Chinese name"), max_length=300, required=False)
    name_en = forms.CharField(label=_("English name"), max_length=300, required=False)
    level = forms.ChoiceField(
        label=_("Level"),
        choices=Standard.Level.choices,
        initial=Standard.Level.NATIONAL,
    )
    email = forms.EmailField(label=_("Secretariat e-mail"), required=False)
    quorum = _fraction(_("Quorum"), "0.5")
    approval_threshold = _fraction(_("Approval threshold"), "0.75")
    disapproval_max = _fraction(_("Maximum disapproval"), "0.25")


class CommitteeMemberForm(forms.Form):
    user = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=CommitteeMember.Role.choices,
        initial=CommitteeMember.Role.MEMBER,
    )
    organisation = OrganisationField(label=_("Organisation"), required=False)

    def clean_user(self):
        try:
            return selectors.user_by_username(self.cleaned_data["user"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from exc


class ResearchProjectForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=60)
    title_zh = forms.CharField(label=_("Chinese title"), max_length=500, required=False)
    title_en = forms.CharField(label=_("English title"), max_length=500, required=False)
    programme = forms.CharField(label=_("Programme"), max_length=300, required=False)
    lead_organisation = OrganisationField(label=_("Lead organisation"), required=False)
    leader = forms.CharField(label=_("Project leader"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE, required=False)
    ends_on = forms.DateField(label=_("Ends on"), widget=DATE, required=False)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )


class PatentHolderForm(forms.Form):
    """Staff link a patent holder to its registered organisation."""

    holder_organisation = OrganisationField(
        label=_("Registered organisation of the holder"), required=False
    )
