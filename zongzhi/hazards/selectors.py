"""Reading the hazard register, always through the reader's scope."""

from typing import Any

from zongzhi.accounts.permissions import scope_q
from zongzhi.accounts.rules import Action
from zongzhi.hazards.models import Hazard, HazardQuerySet


def visible_hazards(user: Any, action: Action = Action.VIEW_HAZARD) -> HazardQuerySet:
    """The hazards `user` may `action`: in their region subtree, or their unit's own."""
    return Hazard.objects.filter(
        scope_q(user, action, region_prefix="region_prefix", unit="responsible_unit")
    )
