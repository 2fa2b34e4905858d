"""Bulk data for the analytics tests (and the bulletin's and the API's).

These functions create Case rows directly, not through the services: they are for tests
that are about counting, where thousands of cases walked through the state machine would
take minutes and prove nothing more. Everything else makes its cases through the services
(zongzhi/cases/tests/factories.py)."""

import uuid
from datetime import datetime

from django.utils import timezone

from zongzhi.analytics import rollups
from zongzhi.cases.models import Case
from zongzhi.cases.rules import Status
from zongzhi.cases.services.intake import centre_for
from zongzhi.categories.models import Category
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit
from zongzhi.workdays.rules import Counting

# The seeds' figures: 3,099 screened disputes, 3,057 of them resolved (化解率 98.64%).
SEED_TOTAL = 3099
SEED_RESOLVED = 3057
SEED_RATE = "98.64%"


def seed_cases(
    region: Region,
    category: Category,
    *,
    total: int,
    resolved: int,
    channel: str = Case.Channel.SCREENING,
    registered_at: datetime | None = None,
    unit: Unit | None = None,
    rebuild: bool = True,
) -> int:
    """`total` accepted and closed cases in `region`, registered at `registered_at` (now
    by default), `resolved` of them mediated and the rest not (调解不成). Returns `total`."""
    assert 0 <= resolved <= total
    at = registered_at or timezone.now()
    day = timezone.localtime(at).date()
    centre = centre_for(region)
    batch = uuid.uuid4().hex[:8].upper()
    rows = [
        Case(
            code=f"S{batch}{i:06d}",
            channel=channel,
            category=category,
            title="排查发现矛盾纠纷",
            description="批量生成的统计测试数据。",
            region=region,
            region_prefix=region.prefix,
            centre=centre,
            centre_prefix=centre.prefix,
            status=Status.CLOSED,
            lead_unit=unit,
            outcome=Case.Outcome.MEDIATED if i < resolved else Case.Outcome.NOT_MEDIATED,
            counting=Counting.WORKING_DAYS,
            accept_days=3,
            handle_days=30,
            warn_days=2,
            registered_at=at,
            accepted_on=day,
            closed_on=day,
        )
        for i in range(total)
    ]
    Case.objects.bulk_create(rows, batch_size=1000)
    if rebuild:
        rollups.rebuild_rollups()
    return total


def seed_3099(
    region: Region,
    category: Category,
    *,
    registered_at: datetime | None = None,
    unit: Unit | None = None,
    rebuild: bool = True,
) -> int:
    """The seeds' fixture: 3,099 screened disputes (排查发现) in `region`, 3,057 resolved,
    so that 化解率 reads 98.64% for the period holding `registered_at` (now by default)."""
    return seed_cases(
        region,
        category,
        total=SEED_TOTAL,
        resolved=SEED_RESOLVED,
        registered_at=registered_at,
        unit=unit,
        rebuild=rebuild,
    )
