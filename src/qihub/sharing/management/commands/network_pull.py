"""``qihub network-pull``: fetch and mirror the member instances' feeds."""

from django.core.management.base import BaseCommand, CommandError

from qihub.sharing import services
from qihub.sharing.models import MemberInstance


class Command(BaseCommand):
    help = "Pull every accepted member instance's change feed and mirror it."

    def handle(self, *args, **opts):
        failed = 0
        for member in MemberInstance.objects.filter(
            state=MemberInstance.State.ACCEPTED
        ):
            applied = services.member_pull(member=member)
            member.refresh_from_db()
            if member.last_error:
                failed += 1
                self.stdout.write(
                    f"{member.base_url}: {applied} entries, stopped: {member.last_error}"
                )
            else:
                self.stdout.write(f"{member.base_url}: {applied} entries")
        if failed:
            raise CommandError(f"{failed} member(s) could not be pulled completely")
