"""Writes to units."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import Action, require
from zongzhi.categories.models import Category
from zongzhi.regions.models import Region
from zongzhi.units.models import Unit


def _check_region(region: Region) -> None:
    if region.level not in Unit.LEVELS:
        raise ValidationError({"region": "单位只能设在县、乡镇/街道或村/社区一级"})


@transaction.atomic
def unit_create(
    *,
    by: Actor,
    name: str,
    kind: str,
    region: Region,
    categories: Iterable[Category] = (),
    phone: str = "",
) -> Unit:
    require(by, Action.CHANGE_UNIT, region)
    _check_region(region)
    unit = Unit(name=name.strip(), kind=kind, region=region, phone=phone)
    unit.full_clean()
    unit.save()
    unit.competent_categories.set(categories)
    return unit


@transaction.atomic
def unit_update(*, by: Actor, unit: Unit, phone: str, categories: Iterable[Category]) -> Unit:
    """Change a unit's contact phone and the categories it is competent for."""
    require(by, Action.CHANGE_UNIT, unit)
    unit.phone = phone.strip()
    unit.full_clean()
    unit.save(update_fields=["phone"])
    unit.competent_categories.set(categories)
    return unit
