"""``qihub network-join URL``: register another instance as a member of a
network by its base URL (its keys read from it); with ``--accept`` accept
it (the network needs a current secretariat) and with ``--pull`` pull its
feed at once."""

from django.core.management.base import BaseCommand, CommandError

from qihub.core.errors import ApplicationError
from qihub.sharing import services
from qihub.sharing.models import MemberInstance


class Command(BaseCommand):
    help = "Register a member instance by its base URL (optionally accept and pull)."

    def add_arguments(self, parser):
        parser.add_argument("base_url")
        parser.add_argument(
            "--network",
            help="network id or Chinese/English name (default: the only "
            "network with a current secretariat)",
        )
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--organisation",
            help="id or Chinese/English name of the organisation the instance "
            "represents (give the secretariat's to the secretariat's instance: "
            "its membership announcements are applied)",
        )
        parser.add_argument("--accept", action="store_true")
        parser.add_argument("--pull", action="store_true")

    def handle(self, *args, **opts):
        network = _network(opts["network"])
        organisation = _organisation(opts["organisation"])
        base_url = opts["base_url"].strip().rstrip("/")
        member = MemberInstance.objects.filter(
            network=network, base_url=base_url
        ).first()
        try:
            if member is None:
                member = services.member_register_from_url(
                    network=network,
                    base_url=base_url,
                    name=opts["name"],
                    organisation=organisation,
                )
                self.stdout.write(f"{base_url}: registered in {network.name_zh}")
            if opts["accept"] and member.state != MemberInstance.State.ACCEPTED:
                services.member_accept(member=member)
                self.stdout.write(f"{base_url}: accepted")
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        if opts["pull"]:
            member.refresh_from_db()
            applied = services.member_pull(member=member)
            member.refresh_from_db()
            self.stdout.write(f"{base_url}: {applied} entries pulled")
            if member.last_error:
                raise CommandError(f"{base_url}: {member.last_error}")


def _network(wanted: str | None):
    from django.db.models import Q
    from django.utils import timezone

    from qihub.organisations.models import Network, SecretariatTerm

    if wanted:
        match = Q(name_zh=wanted) | Q(name_en=wanted)
        if wanted.isdigit():
            match |= Q(pk=int(wanted))
        rows = Network.objects.filter(match)
    else:
        today = timezone.localdate()
        current = SecretariatTerm.objects.filter(starts_on__lte=today).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=today)
        )
        rows = Network.objects.filter(pk__in=current.values("network"))
    rows = list(rows[:2])
    if len(rows) != 1:
        raise CommandError(
            "Name the network with --network (id or name): "
            + ("none matches." if not rows else "more than one matches.")
        )
    return rows[0]


def _organisation(wanted: str | None):
    from django.db.models import Q

    from qihub.organisations.models import Organisation

    if not wanted:
        return None
    match = Q(name_zh=wanted) | Q(name_en=wanted)
    if wanted.isdigit():
        match |= Q(pk=int(wanted))
    rows = list(Organisation.objects.filter(match)[:2])
    if len(rows) != 1:
        raise CommandError(
            f"--organisation {wanted}: "
            + ("no organisation matches." if not rows else "more than one matches.")
        )
    return rows[0]
