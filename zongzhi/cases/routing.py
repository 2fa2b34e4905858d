"""Which unit a case should go to: the routing rules, then the units' own competences."""

from zongzhi.cases.models import Case, RoutingRule
from zongzhi.units.models import Unit


def suggest(case: Case) -> Unit | None:
    """The unit the centre now answering for the case would normally dispatch it to.

    A rule for the case's second-level category at the centre's level wins over one for
    the top-level category; without a rule, a unit at the centre competent for the
    category. The suggestion is only that: the intake officer may choose another unit.
    """
    category = case.category
    codes = [category.pk] + ([category.parent_id] if category.parent_id else [])
    rules = {
        r.category_id: r.unit_kind
        for r in RoutingRule.objects.filter(category_id__in=codes, level=case.centre.level)
    }
    at_centre = Unit.objects.filter(region=case.centre, is_active=True).order_by("pk")
    for code in codes:
        kind = rules.get(code)
        if kind is not None:
            unit = at_centre.filter(kind=kind).first()
            if unit is not None:
                return unit
    return at_centre.filter(competent_categories=category).first()
