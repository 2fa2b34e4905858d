"""Reading screening rounds and reports, always through the reader's scope."""

from typing import Any

from django.db.models import QuerySet

from zongzhi.accounts.permissions import scope_q
from zongzhi.accounts.rules import Action
from zongzhi.screening.models import ScreeningReport


def visible_reports(user: Any, action: Action = Action.VIEW_SCREENING) -> QuerySet[ScreeningReport]:
    """The reports `user` may `action`: a region's reports in their subtree, a unit's
    reports to that unit's people (and to the region holders above it)."""
    return ScreeningReport.objects.filter(
        scope_q(user, action, region_prefix="region_prefix", unit="unit")
    )
