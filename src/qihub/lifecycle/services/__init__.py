"""Writes for the standard lifecycle.

Pages, the API, admin actions, commands and scheduled jobs all call these
functions, so each move is checked the same way and leaves an event.
"""

from qihub.lifecycle.services.projects import (
    FEEDBACK_MOVES,
    MAX_TEXT,
    PROJECT_FIELDS,
    ballot_close,
    ballot_vote,
    comment_resolve,
    comment_submit,
    committee_create,
    committee_member_add,
    consultations_close_expired,
    deadline_reminders_send,
    feedback_handle,
    feedback_submit,
    patent_disclose,
    patent_link_holder,
    periodic_review_record,
    project_create,
    project_transition,
    project_update,
    projects_mark_implemented,
    research_milestone_add,
    research_project_create,
    research_review_record,
)

__all__ = [
    "FEEDBACK_MOVES",
    "MAX_TEXT",
    "PROJECT_FIELDS",
    "ballot_close",
    "ballot_vote",
    "comment_resolve",
    "comment_submit",
    "committee_create",
    "committee_member_add",
    "consultations_close_expired",
    "deadline_reminders_send",
    "feedback_handle",
    "feedback_submit",
    "patent_disclose",
    "patent_link_holder",
    "periodic_review_record",
    "project_create",
    "project_transition",
    "project_update",
    "projects_mark_implemented",
    "research_milestone_add",
    "research_project_create",
    "research_review_record",
]
