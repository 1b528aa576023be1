"""Benchmark for traceability: validate every chain, impact of a revocation.

Builds a synthetic registry in its own database (a fresh SQLite file under
``var/bench-traceability/`` unless ``DATABASE_URL`` is set): laboratories with
accreditation scopes, 5,000 measurement standards in six levels under ten
national primary standards, 1,000,000 instruments and 3,000,000 calibration
events (the standards' and the instruments' histories), so that an
instrument's chain has up to six links. A small share of links is broken on
purpose (expired, revoked, unaccredited lab, TUR below 4:1). It then measures

* ``chains_validate_all``: every instrument's chain validated set-based, and
* ``certificate_revoke`` of a top-level certificate (a primary standard's
  calibration of a first-level standard): impact analysis and bulk marking of
  every suspect standard and instrument downstream.

Usage::

    .venv/bin/python bench/traceability.py                       # full size
    .venv/bin/python bench/traceability.py --instruments 20000   # quick

The data set is kept between runs (``--rebuild`` to start again); the
revocation is undone after it is measured.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

QUANTITIES = [
    ("pressure", "kPa", 0, 1000),
    ("mass", "kg", 0, 100),
    ("volume", "L", 0, 200),
    ("temperature", "degC", -50, 300),
    ("length", "m", 0, 50),
    ("energy", "kWh", 0, 10000),
    ("speed", "km/h", 0, 300),
    ("time", "s", 0, 86400),
    ("sound_level", "dB", 20, 140),
    ("concentration", "mg/L", 0, 5),
]
#: standards per level (level 0 = national primary); 5,000 in all
LEVELS = [10, 60, 300, 1000, 1630, 2000]


def setup(rebuild: bool) -> Path | None:
    data = None
    if "DATABASE_URL" not in os.environ:
        data = ROOT / "var" / "bench-traceability"
        if rebuild and data.exists():
            shutil.rmtree(data)
        data.mkdir(parents=True, exist_ok=True)
        os.environ["QIHUB_DATA_DIR"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qihub.config.settings")
    os.environ.setdefault("QIHUB_TESTING", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return data


def build(n_instruments: int, n_events: int, seed: int) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    from qihub.metrology import services
    from qihub.metrology.models import (
        AccreditationScope,
        CalibrationEvent,
        CompulsoryItem,
        Instrument,
        Laboratory,
        MeasurementStandard,
    )
    from qihub.organisations.models import Organisation
    from qihub.organisations.names import name_key, search_tokens

    rng = random.Random(seed)
    today = timezone.localdate()
    now = timezone.now()
    services.compulsory_catalogue_load()
    types = list(CompulsoryItem.objects.values_list("id", "quantity"))
    t0 = time.perf_counter()

    def organisations(names: list[str], kind: str) -> list[int]:
        """The parties, registered in bulk (the registry's name key and tokens)."""
        Organisation.objects.bulk_create(
            [
                Organisation(
                    name_zh=name,
                    name_key=name_key(name),
                    search_text=" ".join(search_tokens(name)),
                    kind=kind,
                )
                for name in names
            ],
            batch_size=1000,
        )
        keys = [name_key(n) for n in names]
        ids: dict[str, int] = {}
        for i in range(0, len(keys), 500):
            ids.update(
                Organisation.objects.filter(name_key__in=keys[i : i + 500]).values_list(
                    "name_key", "id"
                )
            )
        return [ids[key] for key in keys]

    with transaction.atomic():
        lab_orgs = organisations([f"计量机构{i}" for i in range(40)], "calibration_lab")
        labs = Laboratory.objects.bulk_create(
            [
                Laboratory(code=f"LAB{i:03d}", name=f"实验室{i}", organisation_id=org)
                for i, org in enumerate(lab_orgs)
            ]
        )
        # the instruments' 5,000 owners
        owners = organisations([f"使用单位{i}" for i in range(5000)], "enterprise")
        scopes = []
        for i, lab in enumerate(labs):
            for q, unit, lo, hi in QUANTITIES:
                # lab 39 lacks the scope for every quantity: its links are unaccredited
                if i == 39:
                    continue
                scopes.append(
                    AccreditationScope(
                        laboratory=lab,
                        quantity=q,
                        range_min=lo,
                        range_max=hi * 10,
                        unit=unit,
                        valid_until=today + datetime.timedelta(days=3650),
                    )
                )
        AccreditationScope.objects.bulk_create(scopes)
        standards = []
        for level, count in enumerate(LEVELS):
            for k in range(count):
                q, unit, lo, hi = QUANTITIES[k % len(QUANTITIES)]
                u = 10.0 ** (level - 7) * (hi - lo + 1)
                standards.append(
                    MeasurementStandard(
                        code=f"S{level}-{k:05d}",
                        name=f"{q} level {level} #{k}",
                        kind="national_primary" if level == 0 else "social_public",
                        is_primary=level == 0,
                        quantity=q,
                        unit=unit,
                        range_min=lo,
                        range_max=hi,
                        uncertainty=u,
                        mpe=u * 6,
                        holder=labs[level],
                    )
                )
        MeasurementStandard.objects.bulk_create(standards, batch_size=1000)
        by_level: list[list[tuple[int, str]]] = []
        rows = MeasurementStandard.objects.order_by("id").values_list(
            "id", "code", "quantity"
        )
        for level in range(len(LEVELS)):
            by_level.append([(i, q) for i, c, q in rows if c.startswith(f"S{level}-")])
    print(f"  labs and {len(standards)} standards in {time.perf_counter() - t0:.1f} s")

    ev = CalibrationEvent._meta.db_table
    inst = Instrument._meta.db_table
    ev_cols = (
        "created_at, updated_at, certificate_number, kind, instrument_id, "
        "calibrated_standard_id, reference_standard_id, laboratory_id, "
        "specification_id, performed_on, valid_until, quantity, unit, "
        "measured_error, expanded_uncertainty, coverage_factor, conformity, "
        "status, revoked_at, revoke_reason, gtc_archive, dcc_xml, "
        "dcc_schema_version, signature_status"
    )
    ev_sql = f"INSERT INTO {ev} ({ev_cols}) VALUES ({', '.join(['%s'] * 24)})"
    n_cert = 0

    def event_row(
        *, instrument, standard, reference, lab, day, valid, q, unit, status="valid"
    ):
        nonlocal n_cert
        n_cert += 1
        return (
            now,
            now,
            f"C{n_cert:08d}",
            "verification" if instrument else "calibration",
            instrument,
            standard,
            reference,
            lab,
            None,
            day,
            valid,
            q,
            unit,
            0.0,
            0.0,
            2.0,
            "pass",
            status,
            None,
            "",
            "",
            "",
            "",
            "",
        )

    t0 = time.perf_counter()
    # the standards' histories: three calibrations each by a standard one level up
    parent_of: dict[int, int] = {}
    with transaction.atomic(), connection.cursor() as cur:
        batch = []
        for level in range(1, len(LEVELS)):
            ups: dict[str, list[int]] = {}
            for sid, q in by_level[level - 1]:
                ups.setdefault(q, []).append(sid)
            for sid, q in by_level[level]:
                parent = rng.choice(ups[q])
                parent_of[sid] = parent
                unit = next(u for qq, u, _lo, _hi in QUANTITIES if qq == q)
                for h in range(3):
                    # a level is recalibrated after the level above it, so the
                    # current chain runs through each parent's latest certificate
                    day = today - datetime.timedelta(
                        days=30
                        + 20 * (len(LEVELS) - level)
                        + 365 * (2 - h)
                        + rng.randint(0, 9)
                    )
                    batch.append(
                        event_row(
                            instrument=None,
                            standard=sid,
                            reference=parent,
                            lab=level - 1,
                            day=day,
                            valid=day + datetime.timedelta(days=730),
                            q=q,
                            unit=unit,
                        )
                    )
        batch = [(*r[:7], labs[r[7]].pk, *r[8:]) for r in batch]
        cur.executemany(ev_sql, batch)
    std_events = len(batch)
    print(f"  {std_events} standard calibrations in {time.perf_counter() - t0:.1f} s")

    t0 = time.perf_counter()
    leaf_by_q: dict[str, list[int]] = {}
    for level in (3, 4, 5):
        for sid, q in by_level[level]:
            leaf_by_q.setdefault(q, []).append(sid)
    q_units = {q: (u, lo, hi) for q, u, lo, hi in QUANTITIES}
    type_by_q = {q: tid for tid, q in types}
    inst_cols = (
        "created_at, updated_at, code, item_type_id, name, maker, model, serial, "
        "owner_id, owner_email, region, location, use, quantity, unit, range_min, "
        "range_max, accuracy_class, mpe, registered_on, requires_verification, "
        "latest_event_id, suspect, suspect_reason, suspect_cause_id, retired_reason"
    )
    inst_sql = f"INSERT INTO {inst} ({inst_cols}) VALUES ({', '.join(['%s'] * 26)})"
    std_u = dict(MeasurementStandard.objects.values_list("id", "uncertainty"))
    regions = [
        "长春市",
        "吉林市",
        "四平市",
        "辽源市",
        "通化市",
        "白山市",
        "松原市",
        "白城市",
        "延边州",
    ]
    per_inst = max(1, round((n_events - std_events) / n_instruments))
    chunk = 50_000
    first_id = None
    with connection.cursor() as cur:
        for start in range(0, n_instruments, chunk):
            with transaction.atomic():
                rows = []
                plan = []
                for i in range(start, min(start + chunk, n_instruments)):
                    q = QUANTITIES[i % len(QUANTITIES)][0]
                    unit, lo, hi = q_units[q]
                    ref = rng.choice(leaf_by_q[q])
                    # TUR 10:1 normally; 1 % of instruments get a TUR of 2:1
                    mpe = std_u[ref] * (2 if rng.random() < 0.01 else 10)
                    rows.append(
                        (
                            now,
                            now,
                            f"I{i:08d}",
                            type_by_q.get(q),
                            f"{q} instrument",
                            "maker",
                            "M1",
                            f"SN{i}",
                            owners[i % 5000],
                            "",
                            regions[i % len(regions)],
                            "",
                            "trade",
                            q,
                            unit,
                            lo,
                            hi,
                            "",
                            mpe,
                            today - datetime.timedelta(days=1500),
                            q in type_by_q,
                            None,
                            False,
                            "",
                            None,
                            "",  # in use
                        )
                    )
                    plan.append(ref)
                cur.executemany(inst_sql, rows)
                if first_id is None:
                    first_id = (
                        Instrument.objects.order_by("id")
                        .values_list("id", flat=True)
                        .first()
                    )
                ids = list(
                    Instrument.objects.filter(
                        code__gte=f"I{start:08d}", code__lt=f"I{start + chunk:08d}"
                    )
                    .order_by("code")
                    .values_list("id", "quantity", "unit")
                )
                events = []
                for (iid, q, unit), ref in zip(ids, plan, strict=True):
                    r = rng.random()
                    lab = labs[39].pk if r < 0.005 else labs[10 + iid % 29].pk
                    for h in range(per_inst):
                        day = today - datetime.timedelta(
                            days=365 * (per_inst - 1 - h) + iid % 25
                        )
                        valid = day + datetime.timedelta(days=365)
                        status = "valid"
                        if h == per_inst - 1:
                            if 0.005 <= r < 0.015:
                                valid = today - datetime.timedelta(days=1)  # expired
                            elif 0.015 <= r < 0.02:
                                status = "revoked"
                        events.append(
                            event_row(
                                instrument=iid,
                                standard=None,
                                reference=ref,
                                lab=0,
                                day=day,
                                valid=valid,
                                q=q,
                                unit=unit,
                                status=status,
                            )
                        )
                        events[-1] = (*events[-1][:7], lab, *events[-1][8:])
                cur.executemany(ev_sql, events)
            done = min(start + chunk, n_instruments)
            print(f"\r  instruments {done:,}/{n_instruments:,}", end="", flush=True)
        print()
        # every instrument's latest event, set-based
        if connection.vendor == "postgresql":
            cur.execute(f"ANALYZE {ev}")
            cur.execute(f"ANALYZE {inst}")
        cur.execute(
            f"UPDATE {inst} SET latest_event_id = latest.id FROM ("
            f"SELECT instrument_id, MAX(id) AS id FROM {ev} "
            f"WHERE instrument_id IS NOT NULL GROUP BY instrument_id) AS latest "
            f"WHERE latest.instrument_id = {inst}.id"
        )
        if connection.vendor == "postgresql":
            cur.execute(f"ANALYZE {inst}")
    print(f"  instruments and their events in {time.perf_counter() - t0:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instruments", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=3_000_000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    setup(args.rebuild)
    from django.db import connection, transaction

    from qihub.metrology import services
    from qihub.metrology.models import CalibrationEvent, Instrument, MeasurementStandard
    from qihub.metrology.traceability import chain_validate, chains_validate_all

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if Instrument.objects.count() != args.instruments:
        if Instrument.objects.exists():
            sys.exit("The bench database holds another data set: pass --rebuild.")
        print("building the data set ...")
        build(args.instruments, args.events, args.seed)
    n_events = CalibrationEvent.objects.count()
    print(
        f"data: {Instrument.objects.count():,} instruments, "
        f"{MeasurementStandard.objects.count():,} standards, {n_events:,} calibration events, "
        f"chains up to {len(LEVELS)} links"
    )

    start = time.perf_counter()
    report = chains_validate_all()
    elapsed = time.perf_counter() - start
    print(
        f"validate every chain: {elapsed:.2f} s for {report.instruments:,} instruments "
        f"({report.valid:,} valid; broken: {report.by_code}; "
        f"{report.standards_ok}/{report.standards} standards traceable)"
    )

    # spot check: the set-based verdict equals the one-chain walk
    sample = random.Random(args.seed).sample(
        list(Instrument.objects.values_list("id", flat=True)[:200_000]), 200
    )
    failed = set(report.failed)
    agree = 0
    for inst in Instrument.objects.filter(pk__in=sample):
        agree += chain_validate(inst).ok == (inst.pk not in failed)
    print(f"spot check: {agree}/200 one-chain walks agree with the set-based verdict")

    # a top-level certificate: a primary standard's calibration of a level-1 standard
    top = (
        CalibrationEvent.objects.filter(
            calibrated_standard__code__startswith="S1-",
            reference_standard__is_primary=True,
            status="valid",
        )
        .order_by("-performed_on")
        .first()
    )
    start = time.perf_counter()
    impact = services.certificate_revoke(certificate=top, actor=None, reason="bench")
    elapsed = time.perf_counter() - start
    print(
        f"impact of revoking top-level certificate {top.certificate_number}: "
        f"{elapsed:.2f} s ({len(impact.standards):,} standards and "
        f"{impact.instruments:,} instruments marked suspect)"
    )
    with transaction.atomic():  # undo, so the data set can be reused
        CalibrationEvent.objects.filter(pk=top.pk).update(
            status="valid", revoked_at=None, revoke_reason=""
        )
        MeasurementStandard.objects.filter(suspect=True).update(
            suspect=False, suspect_reason=""
        )
        Instrument.objects.filter(suspect=True).update(
            suspect=False, suspect_reason="", suspect_cause=None
        )


if __name__ == "__main__":
    main()
