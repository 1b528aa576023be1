"""Background job of the sharing app: pull the member instances' feeds."""

from django.tasks import task

from qihub.sharing import services


@task
def network_pull() -> dict[str, int]:
    """Fetch and mirror every accepted member instance's new feed entries."""
    return services.network_pull()


SCHEDULED = [network_pull]
