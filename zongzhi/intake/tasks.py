"""Background work for intake intelligence. Tasks only call a service."""

from django.tasks import task

from zongzhi.intake import services


@task()
def train_suggestions() -> dict[str, object]:
    """Nightly: a new version of the category model from the day's closed cases."""
    version = services.train_suggestions()
    return {"version": version.pk, "state": version.state, "cases": version.cases}
