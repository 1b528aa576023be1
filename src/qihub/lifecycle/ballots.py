"""Ballot arithmetic: quorum and approval rules as fractions of votes."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Tally:
    """The counts of a closed ballot and its result."""

    eligible: int
    approve: int
    disapprove: int
    abstain: int
    passed: bool
    reason: str

    @property
    def cast(self) -> int:
        return self.approve + self.disapprove + self.abstain

    def as_dict(self) -> dict:
        return {
            "eligible": self.eligible,
            "approve": self.approve,
            "disapprove": self.disapprove,
            "abstain": self.abstain,
            "cast": self.cast,
        }


def tally(
    *,
    eligible: int,
    approve: int,
    disapprove: int,
    abstain: int,
    quorum: Decimal,
    approval_threshold: Decimal,
    disapproval_max: Decimal,
) -> Tally:
    """Decide a ballot: quorum counts every vote cast against the eligible
    members; approval and disapproval are fractions of the votes cast that
    are not abstentions (as GB/T 1.1 committee practice counts them)."""
    cast = approve + disapprove + abstain
    decisive = approve + disapprove
    if eligible == 0 or Decimal(cast) < Decimal(quorum) * eligible:
        return Tally(
            eligible,
            approve,
            disapprove,
            abstain,
            False,
            _("Quorum not reached: %(cast)d of %(eligible)d members voted.")
            % {"cast": cast, "eligible": eligible},
        )
    if decisive == 0:
        return Tally(
            eligible, approve, disapprove, abstain, False, _("Every voter abstained.")
        )
    approval = Decimal(approve) / decisive
    disapproval = Decimal(disapprove) / decisive
    if approval < Decimal(approval_threshold):
        return Tally(
            eligible,
            approve,
            disapprove,
            abstain,
            False,
            _("Approval %(a).0f%% is below the required %(t).0f%%.")
            % {"a": approval * 100, "t": Decimal(approval_threshold) * 100},
        )
    if disapproval > Decimal(disapproval_max):
        return Tally(
            eligible,
            approve,
            disapprove,
            abstain,
            False,
            _("Disapproval %(d).0f%% exceeds the allowed %(t).0f%%.")
            % {"d": disapproval * 100, "t": Decimal(disapproval_max) * 100},
        )
    return Tally(
        eligible,
        approve,
        disapprove,
        abstain,
        True,
        _("Passed: %(a)d approve, %(d)d disapprove, %(s)d abstain of %(e)d members.")
        % {"a": approve, "d": disapprove, "s": abstain, "e": eligible},
    )
