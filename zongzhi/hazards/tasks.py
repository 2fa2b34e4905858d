"""Background work on hazards. Tasks only call a service; the service does the work."""

from django.tasks import task

from zongzhi.hazards import services


@task()
def sweep_hazard_reviews() -> dict[str, int]:
    """Warn the owners of hazards whose review date has passed."""
    return {"warned": services.sweep_hazard_reviews()}
