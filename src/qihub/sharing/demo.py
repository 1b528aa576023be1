"""Demo sharing: this instance's identity (base URL from QIHUB_BASE_URL, by
default http://127.0.0.1:8000) with a signing key, publishing its local and
group standards, standard projects, research projects, consultations,
its expert pool and the standard texts it holds.

A second instance that shares a catalogue (see the README, "Sharing between
institutes"): ``QIHUB_DATA_DIR=var2 QIHUB_BASE_URL=http://127.0.0.1:8001
qihub serve --port 8001 --demo``, then register each instance with the other
by its base URL on the staff page ``/sharing/`` (its keys are read from its
``/api/network/instance``), accept it and run ``qihub network-pull``.
"""

import os

from qihub.sharing import services
from qihub.sharing.models import SharedKind


def load(stdout=None) -> None:
    from qihub.organisations.models import Organisation

    base_url = os.environ.get("QIHUB_BASE_URL", "http://127.0.0.1:8000")
    organisation = Organisation.objects.order_by("pk").first()
    services.identity_set(base_url=base_url, organisation=organisation)
    for kind in (
        SharedKind.LOCAL_STANDARD,
        SharedKind.GROUP_STANDARD,
        SharedKind.PROJECT,
        SharedKind.RESEARCH,
        SharedKind.CONSULTATION,
        SharedKind.EXPERT,
        SharedKind.HELD_TEXT,
    ):
        services.publishing_set(kind=kind, enabled=True)
    if stdout:
        stdout.write(f"sharing: this instance is {base_url}")
