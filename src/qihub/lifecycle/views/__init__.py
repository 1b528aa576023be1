"""Pages of the standard lifecycle: dashboard, projects, consultations,
ballots, patents, research projects, periodic reviews and feedback.

By what they show: ``projects``, ``consultation`` (with comments, ballots and
patents), ``bodies`` (committees, research), ``public`` (the standard panel,
feedback, periodic reviews)."""

from qihub.lifecycle.views.bodies import (
    committee_create,
    committee_detail,
    committee_list,
    research_create,
    research_detail,
    research_list,
)
from qihub.lifecycle.views.consultation import (
    ballot_close,
    ballot_detail,
    comment_resolve,
    consultation_detail,
    consultation_export,
    consultation_resolve,
    patent_new,
)
from qihub.lifecycle.views.projects import (
    index,
    patent_link_holder,
    project_create,
    project_detail,
    project_draft,
    project_draft_download,
    project_edit,
    project_list,
    project_transition,
)
from qihub.lifecycle.views.public import (
    feedback_handle,
    feedback_list,
    feedback_new,
    feedback_track,
    periodic_review,
    standard_panel,
)

__all__ = [
    "ballot_close",
    "ballot_detail",
    "comment_resolve",
    "committee_create",
    "committee_detail",
    "committee_list",
    "consultation_detail",
    "consultation_export",
    "consultation_resolve",
    "feedback_handle",
    "feedback_list",
    "feedback_new",
    "feedback_track",
    "index",
    "patent_link_holder",
    "patent_new",
    "periodic_review",
    "project_create",
    "project_detail",
    "project_draft",
    "project_draft_download",
    "project_edit",
    "project_list",
    "project_transition",
    "research_create",
    "research_detail",
    "research_list",
    "standard_panel",
]
