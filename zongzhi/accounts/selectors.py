from typing import Any

from zongzhi.accounts.models import RoleAssignment


def roles_held(user: Any) -> list[RoleAssignment]:
    """The user's roles with their places, for the header and the home page (one query)."""
    cached = getattr(user, "_zongzhi_roles_held", None)
    if cached is None:
        cached = list(
            RoleAssignment.objects.filter(user_id=user.pk)
            .select_related("region", "unit")
            .order_by("role", "region__code", "unit__name")
        )
        user._zongzhi_roles_held = cached
    return cached
