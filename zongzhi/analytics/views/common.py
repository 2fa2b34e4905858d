"""What the analytics pages share: who may open them, the place asked for, a date
parameter with its Chinese error."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action
from zongzhi.analytics import selectors
from zongzhi.regions.models import Region


def require_analytics(user: Actor) -> None:
    if not holds(user, Action.VIEW_ANALYTICS):
        raise PermissionDenied(_("统计分析供领导和综治中心受理人员使用"))


def place(user: Actor, code: str, choices: list[Region] | None = None) -> Region:
    """The place asked for (or the user's widest, among `choices` when the caller has them
    already), or 404 outside the user's grants."""
    if code:
        region = selectors.region_for(user, code)
    else:
        region = selectors.default_region(
            choices if choices is not None else selectors.pickable_regions(user)
        )
    if region is None:
        raise Http404(_("没有找到该区划，或它不在您的统计范围内"))
    return region


def place_and_choices(user: Actor, code: str) -> tuple[Region, list[Region]]:
    """The place asked for (or the user's widest) and the picker's places, the place among
    them even when it lies below the picker's levels; 404 outside the user's grants."""
    choices = list(selectors.pickable_regions(user))
    region = place(user, code, choices)
    if region not in choices:
        choices = sorted([*choices, region], key=lambda r: r.code)
    return region, choices


def date_param(params: QueryDict, name: str, label: str, errors: list[str]) -> date | None:
    """The date in `params[name]`, or None when empty; a malformed one adds an error
    naming the field (`label`)."""
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("%(field)s格式不对：请按 2026-01-31 的格式填写") % {"field": label})
        return None
