"""Writes for organisations, designations, memberships and networks.

Every write checks its input (a refusal names the field and changes
nothing), records an ``OrganisationEvent`` in the same transaction and is
the only way views, the API, the admin, imports and the other domains
create or change these records. ``actor=None`` is the platform itself (a
command run without a user, a data migration); any other actor must be
institute staff or, where said, an administrator of the organisation.

The package, by noun: ``organisations`` (and their designations),
``memberships``, ``networks`` (members, secretariat terms, meetings,
announcements); what they share (who may act, the event) is in ``_common``.
"""

from qihub.organisations.services._common import (
    check_may_manage,
    check_staff,
    may_manage,
)
from qihub.organisations.services.memberships import (
    membership_add,
    membership_remove,
    membership_set_role,
)
from qihub.organisations.services.networks import (
    announcement_publish,
    meeting_record,
    network_create,
    network_member_join,
    network_member_leave,
    secretariat_assign,
)
from qihub.organisations.services.organisations import (
    EDITABLE_FIELDS,
    credit_code_clean,
    designation_add,
    organisation_create,
    organisation_find_or_create,
    organisation_match,
    organisation_update,
    region_resolve,
    with_credit_code,
)

__all__ = [
    "EDITABLE_FIELDS",
    "announcement_publish",
    "check_may_manage",
    "check_staff",
    "credit_code_clean",
    "designation_add",
    "may_manage",
    "meeting_record",
    "membership_add",
    "membership_remove",
    "membership_set_role",
    "network_create",
    "network_member_join",
    "network_member_leave",
    "organisation_create",
    "organisation_find_or_create",
    "organisation_match",
    "organisation_update",
    "region_resolve",
    "secretariat_assign",
    "with_credit_code",
]
