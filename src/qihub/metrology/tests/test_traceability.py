import datetime

import pytest

from qihub.core.errors import ApplicationError
from qihub.metrology import services
from qihub.metrology.models import AccreditationScope, CalibrationEvent, Instrument
from qihub.metrology.traceability import chain_validate, chains_validate_all

from .conftest import DAY


def codes(chain):
    return [(i.code, i.link) for i in chain.issues]


def test_valid_chain_reaches_the_national_primary(registry):
    chain = chain_validate(registry.instrument, on=DAY)
    assert chain.ok, codes(chain)
    assert chain.top == registry.primary
    assert [link.label for link in chain.links] == ["INS-0001", "JL-S-002", "JL-S-001"]
    assert chain.links[0].tur == pytest.approx(10.0)


def test_gtc_budget_keeps_every_upstream_component(registry):
    chain = chain_validate(registry.instrument, on=DAY)
    labels = [label for label, _u in chain.budget]
    assert "NIM-P-01" in labels
    assert "NIM-2026-001 (local)" in labels
    assert "JL-2026-010 (local)" in labels
    assert "JL-2026-500 (local)" in labels
    # the propagated combined uncertainty equals the stated one (U = 0.12, k = 2)
    assert chain.uncertainty == pytest.approx(0.06)


def test_expired_link_is_reported(registry):
    chain = chain_validate(registry.instrument, on=DAY + datetime.timedelta(days=400))
    assert ("expired", "JL-2026-500") in codes(chain)
    assert ("expired", "NIM-2026-001") in codes(chain)


def test_unaccredited_lab_is_reported(registry):
    AccreditationScope.objects.filter(laboratory=registry.jl).update(range_max=50)
    chain = chain_validate(registry.instrument, on=DAY)
    # the working standard's range (0-100 kPa) exceeds the lab's scope now
    assert ("unaccredited", "JL-2026-010") in codes(chain)
    assert ("unaccredited", "JL-2026-500") not in codes(chain)


def test_tur_below_four_is_reported(registry):
    Instrument.objects.filter(pk=registry.instrument.pk).update(mpe=0.15)
    registry.instrument.refresh_from_db()
    chain = chain_validate(registry.instrument, on=DAY)
    assert ("tur_too_low", "JL-2026-500") in codes(chain)
    assert "3.00" in chain.issues[0].message_en


def test_missing_link_is_reported(registry):
    CalibrationEvent.objects.filter(pk=registry.certs["mid"].pk).update(
        reference_standard=None
    )
    chain = chain_validate(registry.instrument, on=DAY)
    assert codes(chain) == [("missing_link", "JL-S-002")]
    assert "没有检定/校准将 JL-S-002 溯源" in chain.issues[0].message_zh


def test_a_suspended_reference_breaks_the_chain(registry, staff_user):
    services.standard_set_status(
        standard=registry.working,
        status="suspended",
        actor=staff_user,
        reason="Sent for repair",
    )
    chain = chain_validate(registry.instrument, on=DAY)
    assert codes(chain) == [("inactive", "JL-S-002")]
    assert chain.issues[0].message_en == "Standard JL-S-002 is not active (Suspended)."
    assert chains_validate_all(on=DAY).by_code == {"inactive": 1}
    # reactivated, the chain is whole again
    services.standard_set_status(
        standard=registry.working, status="active", actor=staff_user
    )
    assert chain_validate(registry.instrument, on=DAY).ok


def test_revoking_a_top_certificate_lists_suspects_downstream(registry, staff_user):
    impact = services.certificate_revoke(
        certificate=registry.certs["top"], actor=staff_user, reason="Piston worn"
    )
    assert impact.instruments == 1
    assert set(impact.standards) == {registry.provincial.pk, registry.working.pk}
    inst = Instrument.objects.get(pk=registry.instrument.pk)
    assert inst.suspect
    assert inst.suspect_cause_id == registry.certs["top"].pk
    chain = chain_validate(inst, on=DAY)
    assert ("revoked", "NIM-2026-001") in codes(chain)
    with pytest.raises(ApplicationError, match="already revoked"):
        services.certificate_revoke(
            certificate=registry.certs["top"], actor=staff_user, reason="again"
        )


def test_revoking_needs_staff(registry, plain_user):
    with pytest.raises(ApplicationError, match="Only institute staff"):
        services.certificate_revoke(
            certificate=registry.certs["top"], actor=plain_user, reason="x"
        )


def test_bulk_validation_agrees_with_single(registry):
    report = chains_validate_all(on=DAY)
    assert report.instruments == 1
    assert report.valid == 1
    Instrument.objects.filter(pk=registry.instrument.pk).update(mpe=0.15)
    assert chains_validate_all(on=DAY).by_code == {"tur_too_low": 1}
    Instrument.objects.filter(pk=registry.instrument.pk).update(mpe=0.5)
    AccreditationScope.objects.filter(laboratory=registry.jl).update(range_max=50)
    assert chains_validate_all(on=DAY).by_code == {"unaccredited": 1}


def test_issue_messages_in_both_languages(registry):
    Instrument.objects.filter(pk=registry.instrument.pk).update(mpe=0.15)
    registry.instrument.refresh_from_db()
    issue = chain_validate(registry.instrument, on=DAY).issues[0]
    assert issue.message_en.startswith("Test uncertainty ratio 3.00")
    assert "测试不确定度比 3.00 低于要求的 4:1" in issue.message_zh
