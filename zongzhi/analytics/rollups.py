"""Keeping the rollups equal to the cases.

`case_fact` says what one case contributes (pure). `refresh_rollups` reads the cases
changed since the last refresh, moves each one's contribution from its old cell to its
new one, and records how far it read; run it often (every few minutes). `rebuild_rollups`
throws the rollups away and computes them again from every case. Both hold one lock, so
two never write at once; a case read twice contributes once (its fact is compared, not
added)."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.db.models.functions import Length, Substr
from django.utils import timezone

from zongzhi.analytics.models import (
    AREA_DEPTHS,
    COUNTERS,
    AreaDayTotal,
    CaseFact,
    CaseRollup,
    RollupState,
)
from zongzhi.cases import rules as case_rules
from zongzhi.cases.models import Case

STATE = "cases"
# Changes committed a little after a refresh began can carry an earlier updated_at; reading
# this far back again costs little, since a case read twice contributes once.
OVERLAP = timedelta(minutes=10)
CHUNK = 2000

Key = tuple[Any, int, str, int, str, int | None]  # day, region, prefix, category, channel, unit

# 化解: the outcomes that settle a dispute or answer a request. Partly agreed, not settled
# (referred to court or arbitration) and unfounded are closed but not resolved.
RESOLVED_OUTCOMES = frozenset({Case.Outcome.MEDIATED, Case.Outcome.HANDLED, Case.Outcome.EXPLAINED})
SATISFIED = frozenset({Case.Satisfaction.SATISFIED, Case.Satisfaction.BASICALLY})
_CLOSED = frozenset(
    {case_rules.Status.CLOSED, case_rules.Status.VISITED, case_rules.Status.ARCHIVED}
)

FACT_FIELDS = (
    "pk",
    "registered_at",
    "region_id",
    "region_prefix",
    "category_id",
    "channel",
    "lead_unit_id",
    "status",
    "accepted_on",
    "closed_on",
    "closed_due_on",
    "outcome",
    "satisfaction",
)


@dataclass(frozen=True)
class Fact:
    key: Key
    counts: tuple[int, ...]  # in COUNTERS order


def case_fact(row: dict[str, Any]) -> Fact | None:
    """What a case (a dict of FACT_FIELDS) contributes; None for a merged duplicate."""
    status = row["status"]
    if status == case_rules.Status.MERGED:
        return None
    closed = status in _CLOSED and row["closed_on"] is not None
    # Closed against no deadline (none was set): on time.
    deadline = row["closed_due_on"]
    on_time = closed and (deadline is None or row["closed_on"] <= deadline)
    visited = bool(row["satisfaction"])
    counts = {
        "received": 1,
        "accepted": int(row["accepted_on"] is not None and status != case_rules.Status.REJECTED),
        "rejected": int(status == case_rules.Status.REJECTED),
        "open": int(status in case_rules.OPEN),
        "closed": int(closed),
        "closed_on_time": int(on_time),
        "resolved": int(closed and row["outcome"] in RESOLVED_OUTCOMES),
        "visited": int(closed and visited),
        "satisfied": int(closed and row["satisfaction"] in SATISFIED),
    }
    day = timezone.localtime(row["registered_at"]).date()
    key = (
        day,
        row["region_id"],
        row["region_prefix"],
        row["category_id"],
        row["channel"],
        row["lead_unit_id"],
    )
    return Fact(key=key, counts=tuple(counts[c] for c in COUNTERS))


def _fact_of_stored(fact: CaseFact) -> Fact:
    key = (
        fact.day,
        fact.region_id,
        fact.region_prefix,
        fact.category_id,
        fact.channel,
        fact.unit_id,
    )
    return Fact(key=key, counts=tuple(getattr(fact, c) for c in COUNTERS))


def _key_fields(key: Key) -> dict[str, Any]:
    day, region, prefix, category, channel, unit = key
    return {
        "day": day,
        "region_id": region,
        "region_prefix": prefix,
        "category_id": category,
        "channel": channel,
        "unit_id": unit,
    }


def _lock() -> RollupState:
    state, _ = RollupState.objects.get_or_create(name=STATE)
    return RollupState.objects.select_for_update().get(pk=state.pk)


_RECEIVED = COUNTERS.index("received")  # every case counts here: 0 means an empty cell


def _apply(deltas: dict[Key, list[int]]) -> None:
    """Add each key's deltas to its cell, creating the cell when it is new; the same for
    the area totals the cells belong to."""
    for key, delta in deltas.items():
        fields = _key_fields(key)
        _add(CaseRollup, {k: v for k, v in fields.items() if k != "region_prefix"}, fields, delta)
    for (depth, area, day), delta in area_deltas(deltas).items():
        lookup = {"depth": depth, "area": area, "day": day}
        _add(AreaDayTotal, lookup, lookup, delta)


def _add(model: Any, lookup: dict[str, Any], fields: dict[str, Any], delta: list[int]) -> None:
    if not any(delta):
        return
    updated = model.objects.filter(**lookup).update(
        **{c: F(c) + d for c, d in zip(COUNTERS, delta, strict=True) if d}
    )
    if not updated:
        model.objects.create(**fields, **dict(zip(COUNTERS, delta, strict=True)))
    elif delta[_RECEIVED] < 0:
        # The last case left the cell: drop it, as a rebuild would never have made it
        # (an empty cell would show as a group of zeros in every breakdown).
        model.objects.filter(**lookup, received=0).delete()


def area_deltas(deltas: dict[Key, list[int]]) -> dict[tuple[int, str, Any], list[int]]:
    """The cells' deltas summed per area and day: a cell counts in every area above its
    place (a case registered at a county counts in the county, not in a township)."""
    areas: dict[tuple[int, str, Any], list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
    for (day, _, prefix, *_), delta in deltas.items():
        for depth in AREA_DEPTHS:
            if len(prefix) >= depth:
                total = areas[(depth, prefix[:depth], day)]
                for i, d in enumerate(delta):
                    total[i] += d
    return areas


def area_totals_from(rollup: Any, totals: Any) -> int:
    """Fill `totals` (AreaDayTotal) from `rollup` (CaseRollup): one grouped query per
    depth. Takes the models, so that the migration that added the totals can call it
    with its own."""
    made = 0
    for depth in AREA_DEPTHS:
        groups = (
            rollup.objects.annotate(length=Length("region_prefix"))
            .filter(length__gte=depth)
            .annotate(area=Substr("region_prefix", 1, depth))
            .values("area", "day")
            .annotate(**{f"n_{c}": Sum(c) for c in COUNTERS})
            .order_by()
        )
        made += len(
            totals.objects.bulk_create(
                (
                    totals(
                        depth=depth,
                        area=g["area"],
                        day=g["day"],
                        **{c: g[f"n_{c}"] for c in COUNTERS},
                    )
                    for g in groups.iterator(chunk_size=CHUNK)
                ),
                batch_size=CHUNK,
            )
        )
    return made


def _refresh_cases(case_ids: Iterable[int]) -> int:
    """Move the contributions of these cases to where they belong now. Returns how many
    changed."""
    ids = list(case_ids)
    changed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        old = {f.case_id: f for f in CaseFact.objects.filter(case_id__in=chunk)}
        rows = {r["pk"]: r for r in Case.objects.filter(pk__in=chunk).values(*FACT_FIELDS)}
        deltas: dict[Key, list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
        to_create, to_delete = [], []
        for case_id in chunk:
            before = _fact_of_stored(old[case_id]) if case_id in old else None
            row = rows.get(case_id)
            after = case_fact(row) if row is not None else None
            if before == after:
                continue
            changed += 1
            if before is not None:
                for i, n in enumerate(before.counts):
                    deltas[before.key][i] -= n
                to_delete.append(case_id)
            if after is not None:
                for i, n in enumerate(after.counts):
                    deltas[after.key][i] += n
                to_create.append(
                    CaseFact(
                        case_id=case_id,
                        **_key_fields(after.key),
                        **dict(zip(COUNTERS, after.counts, strict=True)),
                    )
                )
        CaseFact.objects.filter(case_id__in=to_delete).delete()
        CaseFact.objects.bulk_create(to_create)
        _apply(deltas)
    return changed


@dataclass(frozen=True)
class Freshness:
    """When the figures were last brought up to date, and whether that is too long ago
    (the worker or the scheduler is not running: the figures have stopped moving)."""

    refreshed_at: datetime | None
    stale: bool
    stale_minutes: int


def freshness(now: datetime | None = None) -> Freshness:
    now = now or timezone.now()
    minutes = int(getattr(settings, "ZONGZHI_FIGURES_STALE_MINUTES", 15))
    at = RollupState.objects.filter(name=STATE).values_list("refreshed_at", flat=True).first()
    stale = at is None or now - at > timedelta(minutes=minutes)
    return Freshness(refreshed_at=at, stale=stale, stale_minutes=minutes)


def refresh_rollups(now: datetime | None = None) -> int:
    """Bring the rollups up to date with the cases changed since the last refresh."""
    now = now or timezone.now()
    with transaction.atomic():
        state = _lock()
        changed_since = Case.objects.all()
        if state.refreshed_up_to is not None:
            changed_since = changed_since.filter(updated_at__gte=state.refreshed_up_to - OVERLAP)
        changed = _refresh_cases(changed_since.values_list("pk", flat=True))
        state.refreshed_up_to = now
        state.refreshed_at = timezone.now()
        state.save()
    return changed


def rebuild_rollups() -> int:
    """Throw the rollups away and compute them again from every case."""
    with transaction.atomic():
        state = _lock()
        AreaDayTotal.objects.all().delete()
        CaseRollup.objects.all().delete()
        CaseFact.objects.all().delete()
        started = timezone.now()
        facts = []
        for row in Case.objects.values(*FACT_FIELDS).iterator(chunk_size=CHUNK):
            fact = case_fact(row)
            if fact is not None:
                facts.append(
                    CaseFact(
                        case_id=row["pk"],
                        **_key_fields(fact.key),
                        **dict(zip(COUNTERS, fact.counts, strict=True)),
                    )
                )
            if len(facts) >= CHUNK:
                CaseFact.objects.bulk_create(facts)
                facts = []
        CaseFact.objects.bulk_create(facts)
        cells: Any = (
            CaseFact.objects.values(
                "day", "region_id", "region_prefix", "category_id", "channel", "unit_id"
            )
            .annotate(**{f"n_{c}": Sum(c) for c in COUNTERS})
            .order_by()
        )
        CaseRollup.objects.bulk_create(
            (
                CaseRollup(
                    day=c["day"],
                    region_id=c["region_id"],
                    region_prefix=c["region_prefix"],
                    category_id=c["category_id"],
                    channel=c["channel"],
                    unit_id=c["unit_id"],
                    **{k: c[f"n_{k}"] for k in COUNTERS},
                )
                for c in cells.iterator(chunk_size=CHUNK)
            ),
            batch_size=CHUNK,
        )
        area_totals_from(CaseRollup, AreaDayTotal)
        state.refreshed_up_to = started
        state.refreshed_at = timezone.now()
        state.save()
        return CaseFact.objects.count()
