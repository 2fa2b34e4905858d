"""The navigation bar: each entry shows only to users who hold an action it needs."""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    # Any one of these suffices; none: every signed-in user.
    actions: tuple[Action, ...] = ()

    def shows_to(self, user: Any) -> bool:
        return not self.actions or any(holds(user, action) for action in self.actions)


NAV_ITEMS = [
    NavItem(_("首页"), "home"),
    NavItem(_("事项"), "cases:index", (Action.VIEW_CASE,)),
    NavItem(_("登记"), "cases:new", (Action.REGISTER_CASE,)),
    NavItem(_("督办"), "cases:supervision", (Action.SUPERVISE_CASE,)),
    NavItem(_("排查"), "screening:index", (Action.VIEW_SCREENING,)),
    NavItem(_("风险隐患"), "hazards:index", (Action.VIEW_HAZARD,)),
    # Every register exports as a ledger: whoever reads one of them reads its ledger.
    NavItem(
        _("台账"),
        "ledgers:index",
        (Action.VIEW_CASE, Action.VIEW_HAZARD, Action.VIEW_SCREENING),
    ),
    NavItem(_("日报"), "briefings:index", (Action.VIEW_BRIEFING,)),
    NavItem(_("特殊人群"), "care:index", (Action.VIEW_CARE,)),
    NavItem(_("统计"), "analytics:dashboard", (Action.VIEW_ANALYTICS,)),
    # Administrators weigh the scorecard without reading the figures themselves.
    NavItem(_("考评权重"), "analytics:scorecard_weights", (Action.CONFIGURE_SCORECARD,)),
    NavItem(_("区划与网格"), "regions:index", (Action.VIEW_REGION,)),
    NavItem(_("单位"), "units:index", (Action.VIEW_UNIT,)),
    NavItem(_("审计日志"), "core:audit_log", (Action.VIEW_AUDIT,)),
    NavItem(_("系统状态"), "system_status", (Action.VIEW_SYSTEM_STATUS,)),
]


def items_for(user: Any) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        {"label": item.label, "url": reverse(item.url_name), "url_name": item.url_name}
        for item in NAV_ITEMS
        if item.shows_to(user)
    ]
