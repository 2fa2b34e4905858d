"""Background work on the figures. Tasks only call a service; the service does the work."""

from django.tasks import task

from zongzhi.analytics import rollups


@task()
def refresh_rollups() -> dict[str, int]:
    """Move the counts of the cases changed since the last run to where they belong."""
    return {"changed": rollups.refresh_rollups()}
