"""The unit scorecard (考评): the rules of a unit's score, the weights an administrator sets,
and the scorecard of a place for a period.

The rule. A unit's score for a period is the weighted mean of its rates:

    score = Σ weightᵢ × rateᵢ / Σ weightᵢ

over the rate indicators (indicators.INDICATORS) that carry a weight above zero *and* have a
denominator for that unit in the period. A rate with nothing to divide (no case accepted,
none closed, none visited …) is shown as "—" and leaves the sum, weight and all: a unit is
neither rewarded nor punished for what it had no case to do. A unit with no rate at all
has no score and is ranked last. Scores are in points out of 100, two places, half up.

Which units. The units that led (主办) cases registered in the place during the period —
wherever the unit itself sits: a county bureau that handled cases in a township is
assessed on those cases in that township's scorecard. A unit under the place with no case
there has nothing to be assessed on and is not listed; cases not yet given to a unit are
not anyone's.

The figures are the indicators' own (indicators.breakdown(by="unit") and
indicators.figure): a unit's 化解率 here is the same number as anywhere else.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action
from zongzhi.analytics import indicators
from zongzhi.analytics.indicators import INDICATORS, Figure, Indicator
from zongzhi.analytics.models import ScorecardWeight
from zongzhi.core.services import actor_id
from zongzhi.units.models import Unit

# The weights used until an administrator sets others: resolution first, then closing and
# closing on time, then the residents' satisfaction.
DEFAULT_RESOLUTION_WEIGHT = Decimal(30)
DEFAULT_CLOSURE_WEIGHT = Decimal(25)
DEFAULT_ON_TIME_WEIGHT = Decimal(25)
DEFAULT_SATISFACTION_WEIGHT = Decimal(20)
DEFAULT_WEIGHTS: dict[str, Decimal] = {
    "resolution_rate": DEFAULT_RESOLUTION_WEIGHT,
    "closure_rate": DEFAULT_CLOSURE_WEIGHT,
    "on_time_rate": DEFAULT_ON_TIME_WEIGHT,
    "satisfaction_rate": DEFAULT_SATISFACTION_WEIGHT,
}
MAX_WEIGHT = Decimal(100)
WEIGHT_PLACES = Decimal("0.01")
SCORE_PLACES = Decimal("0.01")

# The indicators a unit can be scored on: the rates counted from the rollups, in the
# order INDICATORS lists them.
SCORABLE: dict[str, Indicator] = {
    code: i for code, i in INDICATORS.items() if i.is_rate and i.source == "rollup"
}


# --- The rule ------------------------------------------------------------------------------


def score(figures: Mapping[str, Figure], weights: Mapping[str, Decimal]) -> Decimal | None:
    """The weighted mean of the rates that have a denominator and a positive weight; None
    when no such rate is left."""
    used = [
        (weight, Decimal(value))
        for code, weight in weights.items()
        if weight > 0 and (value := figures[code].value) is not None
    ]
    total = sum((weight for weight, _ in used), Decimal(0))
    if not total:
        return None
    weighted = sum((weight * value for weight, value in used), Decimal(0))
    return (weighted / total).quantize(SCORE_PLACES, ROUND_HALF_UP)


def ranks(scores: list[Decimal | None]) -> list[int | None]:
    """Competition ranks (1, 2, 2, 4) for scores already sorted best first; None for no
    score."""
    result: list[int | None] = []
    for position, value in enumerate(scores, start=1):
        if value is None:
            result.append(None)
        elif position > 1 and scores[position - 2] == value:
            result.append(result[-1])
        else:
            result.append(position)
    return result


# --- Weights ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Weights:
    """The weights in force, by indicator code (every scorable one, zero if unweighted),
    and whether an administrator set them, who and when."""

    values: dict[str, Decimal]
    is_default: bool
    updated_at: Any = None
    updated_by: Any = None

    def used(self) -> list[tuple[Indicator, Decimal]]:
        return [(SCORABLE[c], w) for c, w in self.values.items() if w > 0]


def current_weights() -> Weights:
    """The weights set by an administrator, or the defaults when none are. One query."""
    stored = list(
        ScorecardWeight.objects.filter(indicator__in=list(SCORABLE)).select_related("updated_by")
    )
    if not stored:
        values = {code: DEFAULT_WEIGHTS.get(code, Decimal(0)) for code in SCORABLE}
        return Weights(values, is_default=True)
    by_code = {w.indicator: w.weight for w in stored}
    latest = max(stored, key=lambda w: w.updated_at)
    return Weights(
        {code: by_code.get(code, Decimal(0)) for code in SCORABLE},
        is_default=False,
        updated_at=latest.updated_at,
        updated_by=latest.updated_by,
    )


def _parse_weight(code: str, raw: Any) -> Decimal:
    name = SCORABLE[code].name
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return Decimal(0)  # left empty: not weighed
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError({code: f"{name}的权重应为0到100之间的数字"}) from None
    if not value.is_finite() or value < 0 or value > MAX_WEIGHT:
        raise ValidationError({code: f"{name}的权重应为0到100之间的数字"})
    if value != value.quantize(WEIGHT_PLACES, ROUND_HALF_UP):
        raise ValidationError({code: f"{name}的权重最多保留两位小数"})
    return value.quantize(WEIGHT_PLACES)


def set_weights(*, by: Actor, weights: Mapping[str, Any]) -> Weights:
    """Set the scorecard's weights (administrators only). `weights` gives every scorable
    indicator its weight; one left out or empty weighs nothing. Weights are 0–100 with at
    most two places, and at least one must be above zero. All or nothing: on an error
    nothing is changed."""
    if not holds(by, Action.CONFIGURE_SCORECARD):
        raise PermissionDenied("只有管理员可以设置考评权重")
    unknown = sorted(set(weights) - set(SCORABLE))
    if unknown:
        raise ValidationError(
            {"__all__": "只能为化解率、办结率等比率指标设置权重：" + "、".join(unknown)}
        )
    errors: dict[str, str] = {}
    values: dict[str, Decimal] = {}
    for code in SCORABLE:
        try:
            values[code] = _parse_weight(code, weights.get(code))
        except ValidationError as error:
            errors[code] = error.message_dict[code][0]
    if errors:
        raise ValidationError(errors)
    if not any(values.values()):
        raise ValidationError({"__all__": "至少要有一项指标的权重大于0"})

    now = timezone.now()
    with transaction.atomic():
        stored = {
            w.indicator: w
            for w in ScorecardWeight.objects.select_for_update().filter(
                indicator__in=list(SCORABLE)
            )
        }
        for code, value in values.items():
            row = stored.get(code)
            if row is None:
                ScorecardWeight.objects.create(
                    indicator=code, weight=value, updated_at=now, updated_by_id=actor_id(by)
                )
            elif row.weight != value:
                row.weight = value
                row.updated_at = now
                row.updated_by_id = actor_id(by)
                row.save(update_fields=["weight", "updated_at", "updated_by"])
    return current_weights()


# --- The scorecard of a place ---------------------------------------------------------


@dataclass(frozen=True)
class UnitScore:
    unit: Unit
    figures: dict[str, Figure]  # every scorable rate, by code
    score: Decimal | None
    rank: int | None = None

    def cells(self, codes: list[str]) -> list[Figure]:
        return [self.figures[c] for c in codes]


@dataclass(frozen=True)
class Scorecard:
    prefix: str
    start: date
    end: date
    weights: Weights
    rows: list[UnitScore]

    @property
    def codes(self) -> list[str]:
        return list(SCORABLE)


def scorecard(prefix: str, start: date, end: date) -> Scorecard:
    """The units that led cases registered in the subtree `prefix` during the period,
    best score first. Three queries, however many units."""
    weights = current_weights()
    groups = [g for g in indicators.breakdown(prefix, start, end, by="unit") if g["key"]]
    units = Unit.objects.in_bulk([g["key"] for g in groups])
    rows = []
    for group in groups:
        figures = {code: indicators.figure(i, group, {}) for code, i in SCORABLE.items()}
        rows.append(UnitScore(units[group["key"]], figures, score(figures, weights.values)))
    rows.sort(key=lambda r: (r.score is None, -(r.score or 0), r.unit.name, r.unit.pk))
    ranked = ranks([r.score for r in rows])
    return Scorecard(
        prefix,
        start,
        end,
        weights,
        [UnitScore(r.unit, r.figures, r.score, rank) for r, rank in zip(rows, ranked, strict=True)],
    )
