"""Background work on screening. Tasks only call a service; the service does the work."""

from django.tasks import task

from zongzhi.screening import services


@task()
def open_due_rounds() -> dict[str, int]:
    """Open this period's round of every schedule (idempotent)."""
    return {"opened": len(services.open_due_rounds())}
