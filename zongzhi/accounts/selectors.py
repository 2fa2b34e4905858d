from datetime import datetime

from axes.models import AccessAttempt
from django.db.models import Sum

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.models import RoleAssignment

_CACHE_ATTR = "_zongzhi_roles_held"


def roles_held(user: Actor) -> list[RoleAssignment]:
    """The user's roles with their places, for the header and the home page (one query)."""
    cached: list[RoleAssignment] | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        pk = user.pk
        cached = (
            []  # no person, no role
            if pk is None
            else list(
                RoleAssignment.objects.filter(user_id=pk)
                .select_related("region", "unit")
                .order_by("role", "region__code", "unit__name")
            )
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def login_failures_from(address: str, *, since: datetime) -> int:
    """Failed sign-ins from one address since `since`, whichever accounts they named (as
    django-axes counts them: a success resets that account's count from that address)."""
    total = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return int(total or 0)


def login_failures_of(username: str, *, since: datetime) -> int:
    """Failed sign-ins naming one account since `since`, from whichever addresses."""
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return int(total or 0)
