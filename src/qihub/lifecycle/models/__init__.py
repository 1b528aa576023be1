"""The life of a standard: projects, workflow states, consultations, ballots,
patents, research projects, periodic reviews and implementation feedback.

Split by noun like the services (``lifecycle/services/``); every model is
re-exported here, so ``qihub.lifecycle.models.X`` and the app label stay.
"""

from qihub.lifecycle.models.ballots import Ballot, Vote
from qihub.lifecycle.models.committees import Committee, CommitteeMember
from qihub.lifecycle.models.consultation import Comment, Consultation
from qihub.lifecycle.models.feedback import Feedback, FeedbackEvent
from qihub.lifecycle.models.patents import PatentDisclosure
from qihub.lifecycle.models.projects import Project, ProjectDraftingUnit, ProjectEvent
from qihub.lifecycle.models.research import (
    ResearchMilestone,
    ResearchProject,
    ResearchReview,
)
from qihub.lifecycle.models.review import PERIODIC_REVIEW_YEARS, PeriodicReview
from qihub.lifecycle.models.states import State, Transition

__all__ = [
    "PERIODIC_REVIEW_YEARS",
    "Ballot",
    "Comment",
    "Committee",
    "CommitteeMember",
    "Consultation",
    "Feedback",
    "FeedbackEvent",
    "PatentDisclosure",
    "PeriodicReview",
    "Project",
    "ProjectDraftingUnit",
    "ProjectEvent",
    "ResearchMilestone",
    "ResearchProject",
    "ResearchReview",
    "State",
    "Transition",
    "Vote",
]
