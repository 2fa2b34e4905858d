"""The analytics rollups over the generated cases.

`analytics.rollups.rebuild_rollups` reads every case into Python and writes its fact back
with bulk_create: right for a county, some twenty minutes for ten million cases. On
PostgreSQL the same facts are computed here in two INSERT … SELECT statements, by the
same conditions as `case_fact` (and `indicators.COUNTER_Q`); a test holds the two to the
same result. Elsewhere (the tests' SQLite) the app's own rebuild runs.
"""

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from zongzhi.analytics.models import (
    AREA_DEPTHS,
    COUNTERS,
    AreaDayTotal,
    CaseFact,
    CaseRollup,
    RollupState,
)
from zongzhi.analytics.rollups import _CLOSED, RESOLVED_OUTCOMES, SATISFIED, STATE, rebuild_rollups
from zongzhi.benchmarks.loading import is_postgres
from zongzhi.cases import rules as case_rules
from zongzhi.cases.models import Case


def _in(values: object) -> str:
    return "(" + ", ".join(f"'{v}'" for v in sorted(str(x) for x in values)) + ")"  # type: ignore[attr-defined]


def _counter_sql() -> dict[str, str]:
    closed = f"(status IN {_in(_CLOSED)} AND closed_on IS NOT NULL)"
    return {
        "received": "1",
        "accepted": f"(accepted_on IS NOT NULL AND status <> '{case_rules.Status.REJECTED}')::int",
        "rejected": f"(status = '{case_rules.Status.REJECTED}')::int",
        "open": f"(status IN {_in(case_rules.OPEN)})::int",
        "closed": f"{closed}::int",
        "closed_on_time": (
            f"({closed} AND (closed_due_on IS NULL OR closed_on <= closed_due_on))::int"
        ),
        "resolved": f"({closed} AND outcome IN {_in(RESOLVED_OUTCOMES)})::int",
        "visited": f"({closed} AND satisfaction <> '')::int",
        "satisfied": f"({closed} AND satisfaction IN {_in(SATISFIED)})::int",
    }


def rebuild_facts() -> dict[str, int]:
    """Throw the facts and rollups away and compute them again from every case."""
    if not is_postgres():
        return {"casefact": rebuild_rollups()}
    counters = _counter_sql()
    keys = "day, region_id, region_prefix, category_id, channel, unit_id"
    columns = ", ".join(COUNTERS)
    fact, rollup, case = CaseFact._meta.db_table, CaseRollup._meta.db_table, Case._meta.db_table
    totals = AreaDayTotal._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        state, _ = RollupState.objects.get_or_create(name=STATE)
        state = RollupState.objects.select_for_update().get(pk=state.pk)
        started = timezone.now()
        cursor.execute(f'TRUNCATE "{totals}", "{rollup}", "{fact}"')
        cursor.execute(
            f'INSERT INTO "{fact}" (case_id, {keys}, {columns}) '  # noqa: S608 — names from the code
            f"SELECT id, (registered_at AT TIME ZONE %s)::date, region_id, region_prefix, "
            f"category_id, channel, lead_unit_id, {', '.join(counters[c] for c in COUNTERS)} "
            f'FROM "{case}" WHERE status <> %s',
            [settings.TIME_ZONE, case_rules.Status.MERGED],
        )
        facts = cursor.rowcount
        cursor.execute(
            f'INSERT INTO "{rollup}" ({keys}, {columns}) '  # noqa: S608 — names from the models
            f"SELECT {keys}, {', '.join(f'SUM({c})' for c in COUNTERS)} "
            f'FROM "{fact}" GROUP BY {keys}'
        )
        cells = cursor.rowcount
        depths = ", ".join(f"({d})" for d in AREA_DEPTHS)
        cursor.execute(
            f'INSERT INTO "{totals}" (depth, area, day, {columns}) '  # noqa: S608 — names from the models
            f"SELECT d.depth, substr(region_prefix, 1, d.depth) AS area, day, "
            f"{', '.join(f'SUM({c})' for c in COUNTERS)} "
            f'FROM "{rollup}" JOIN (VALUES {depths}) AS d(depth) '
            "ON length(region_prefix) >= d.depth GROUP BY d.depth, area, day"
        )
        areas = cursor.rowcount
        state.refreshed_up_to = started
        state.refreshed_at = timezone.now()
        state.save()
    with connection.cursor() as cursor:
        cursor.execute(f'ANALYZE "{fact}"')
        cursor.execute(f'ANALYZE "{rollup}"')
        cursor.execute(f'ANALYZE "{totals}"')
    return {"casefact": facts, "caserollup": cells, "areadaytotal": areas}
