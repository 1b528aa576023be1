"""Writes for the standard lifecycle.

Pages, the API, admin actions, commands and scheduled jobs all call these
functions, so each move is checked the same way and leaves an event. They live
in modules by what they hold: ``committees``, ``projects`` (proposal, edits,
the workflow, publication), ``consultation`` (comments), ``ballots``,
``patents``, ``research``, ``review`` (periodic review), ``feedback`` and
``reminders``; ``_common`` holds the checks several of them share. Every
public name is importable from here.
"""

from qihub.lifecycle.services._common import MAX_TEXT
from qihub.lifecycle.services.ballots import ballot_close, ballot_vote
from qihub.lifecycle.services.committees import committee_create, committee_member_add
from qihub.lifecycle.services.consultation import (
    comment_resolve,
    comment_submit,
    consultations_close_expired,
)
from qihub.lifecycle.services.feedback import (
    FEEDBACK_MOVES,
    feedback_handle,
    feedback_submit,
)
from qihub.lifecycle.services.patents import patent_disclose, patent_link_holder
from qihub.lifecycle.services.projects import (
    PROJECT_FIELDS,
    project_create,
    project_transition,
    project_update,
    projects_mark_implemented,
)
from qihub.lifecycle.services.reminders import deadline_reminders_send
from qihub.lifecycle.services.research import (
    research_milestone_add,
    research_project_create,
    research_review_record,
)
from qihub.lifecycle.services.review import periodic_review_record

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
