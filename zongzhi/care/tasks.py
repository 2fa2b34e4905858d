"""Background work on the care registry. Tasks only call a service; the service does the work."""

from django.tasks import task

from zongzhi.care import services


@task()
def sweep_care() -> dict[str, int]:
    """Missed visits to the team and, after the grace days, to the supervisors; transfers
    nobody answered to the receiving supervisors."""
    result = services.sweep_care()
    return {
        "missed": result.missed,
        "escalated": result.escalated,
        "transfers_escalated": result.transfers_escalated,
    }


@task()
def deidentify_expired() -> dict[str, int]:
    """Closed files past their programme's retention period lose what names the person."""
    return {"deidentified": services.deidentify_expired()}
