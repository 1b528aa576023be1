"""Who may do what in the lifecycle: platform roles and committee seats."""

from qihub.core.roles import Role, has_role
from qihub.lifecycle.models import Committee, CommitteeMember, Transition


def is_committee_officer(user, committee: Committee | None) -> bool:
    """The chair or secretary of ``committee``."""
    if committee is None or user is None or not user.is_authenticated:
        return False
    return CommitteeMember.objects.filter(
        committee=committee,
        user=user,
        role__in=[CommitteeMember.Role.SECRETARY, CommitteeMember.Role.CHAIR],
    ).exists()


def may_manage(user, committee: Committee | None) -> bool:
    """Institute staff, or an officer of the responsible committee."""
    return has_role(user, Role.STAFF) or is_committee_officer(user, committee)


def may_take(user, transition: Transition, committee: Committee | None) -> bool:
    """True when ``user`` holds one of the roles the transition requires."""
    roles = transition.role_list
    platform = [r for r in roles if r in Role.values]
    if platform and has_role(user, *platform):
        return True
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return "secretary" in roles and is_committee_officer(user, committee)
