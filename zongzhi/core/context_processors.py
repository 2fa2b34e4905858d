from typing import Any

from django.http import HttpRequest

from zongzhi.accounts.selectors import roles_held
from zongzhi.core.navigation import items_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_items": items_for(user), "held_roles": roles_held(user)}
