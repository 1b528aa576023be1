"""The standard-development workflow as data: states and allowed transitions.

``workflow_ensure()`` creates the default process idempotently. It runs from a
data migration and after every migrate or flush (``post_migrate``, connected
in ``LifecycleConfig.ready``), never from a read or a write of a project.
Staff may adjust the process in the admin afterwards: once any state exists
nothing is re-seeded, so a transition removed by staff stays removed.
"""

from django.db import transaction

from qihub.lifecycle.models import State, Transition

PROPOSAL = "proposal"
APPROVED = "approved"
DRAFTING = "drafting"
CONSULTATION = "consultation"
REVIEW = "review"
SUBMITTED = "submitted"
PUBLISHED = "published"
IMPLEMENTED = "implemented"
SUSPENDED = "suspended"
CANCELLED = "cancelled"

#: slug, Chinese name, English name, order, terminal, active work
STATES = [
    (PROPOSAL, "立项申请", "Proposal", 10, False, True),
    (APPROVED, "已立项（项目计划）", "Approved (project plan)", 20, False, True),
    (DRAFTING, "起草（工作组讨论稿）", "Drafting (working draft)", 30, False, True),
    (CONSULTATION, "征求意见", "Consultation (draft for comments)", 40, False, True),
    (REVIEW, "审查（送审稿投票）", "Review (committee draft, ballot)", 50, False, True),
    (SUBMITTED, "报批", "Submitted for approval", 60, False, True),
    (PUBLISHED, "已发布", "Published", 70, False, False),
    (IMPLEMENTED, "已实施", "Implemented", 80, True, False),
    (SUSPENDED, "暂停", "Suspended", 90, False, False),
    (CANCELLED, "已撤销", "Cancelled", 100, True, False),
]

_ACTIVE = [PROPOSAL, APPROVED, DRAFTING, CONSULTATION, REVIEW, SUBMITTED]

#: from, to, slug, Chinese label, English label, roles
TRANSITIONS = [
    (PROPOSAL, APPROVED, "approve", "批准立项", "Approve project plan", "staff"),
    (
        APPROVED,
        DRAFTING,
        "start-drafting",
        "开始起草",
        "Start drafting",
        "staff,secretary",
    ),
    (
        DRAFTING,
        CONSULTATION,
        "open-consultation",
        "发布征求意见稿",
        "Open public consultation",
        "staff,secretary",
    ),
    (
        CONSULTATION,
        DRAFTING,
        "back-to-drafting",
        "退回起草",
        "Back to drafting",
        "staff,secretary",
    ),
    (
        CONSULTATION,
        REVIEW,
        "start-review",
        "提交审查（发起投票）",
        "Start committee review (ballot)",
        "staff,secretary",
    ),
    (REVIEW, DRAFTING, "redraft", "重新起草", "Back to drafting", "staff,secretary"),
    (REVIEW, SUBMITTED, "submit", "报批", "Submit for approval", "staff,secretary"),
    (SUBMITTED, PUBLISHED, "publish", "批准发布", "Approve and publish", "staff"),
    (PUBLISHED, IMPLEMENTED, "implement", "实施", "Mark implemented", "staff"),
    (SUSPENDED, APPROVED, "resume", "恢复", "Resume", "staff"),
]
for _slug in _ACTIVE:
    TRANSITIONS.append((_slug, SUSPENDED, "suspend", "暂停", "Suspend", "staff"))
    TRANSITIONS.append((_slug, CANCELLED, "cancel", "撤销", "Cancel project", "staff"))
TRANSITIONS.append((SUSPENDED, CANCELLED, "cancel", "撤销", "Cancel project", "staff"))


@transaction.atomic
def workflow_ensure(state_model=State, transition_model=Transition) -> None:
    """Create the default states and transitions that are missing.

    The model classes can be passed in so the data migration uses its
    historical models.
    """
    if state_model.objects.exists():
        # Seeded already: staff may have renamed states or removed edges in
        # the admin, and those choices stand.
        return
    states = {}
    for slug, zh, en, order, terminal, active in STATES:
        states[slug], _created = state_model.objects.get_or_create(
            slug=slug,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "order": order,
                "terminal": terminal,
                "active": active,
            },
        )
    for order, (src, dst, slug, zh, en, roles) in enumerate(TRANSITIONS):
        transition_model.objects.get_or_create(
            from_state=states[src],
            to_state=states[dst],
            defaults={
                "slug": slug,
                "label_zh": zh,
                "label_en": en,
                "roles": roles,
                "order": order,
            },
        )


def state_get(slug: str) -> State:
    return State.objects.get(slug=slug)
