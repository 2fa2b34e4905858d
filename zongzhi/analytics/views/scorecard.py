"""The unit scorecard (考评) and its weights. Views parse the request and render; the rule
and the weights are analytics/scorecard.py's, every figure indicators.py's."""

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from zongzhi.accounts.permissions import holds
from zongzhi.accounts.rules import Action
from zongzhi.analytics import scorecard as rules
from zongzhi.analytics import selectors
from zongzhi.analytics.views.common import place_and_choices, require_analytics
from zongzhi.core import audit
from zongzhi.core.forms import add_service_errors
from zongzhi.ledgers import layout
from zongzhi.regions.models import Region

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(params: QueryDict, today: date) -> tuple[date, date, list[str]]:
    """`from` and `to` (this month so far when absent), with any input errors."""
    month = selectors.period_of("month", today)
    errors: list[str] = []
    found: dict[str, date | None] = {}
    for name, label in (("from", _("开始日期")), ("to", _("结束日期"))):
        raw = params.get(name, "").strip()
        found[name] = None
        if raw:
            try:
                found[name] = date.fromisoformat(raw)
            except ValueError:
                errors.append(_("%(field)s格式不对：请按 2026-01-31 的格式填写") % {"field": label})
    start, end = found["from"] or month.start, found["to"] or month.end
    if not errors and end < start:
        errors.append(_("结束日期不能早于开始日期"))
    if errors:
        return month.start, month.end, errors
    return start, end, errors


def _records_url(code: str, region: Region, start: date, end: date, unit_pk: int, part: str) -> str:
    query = {
        "indicator": code,
        "region": region.code,
        "from": start.isoformat(),
        "to": end.isoformat(),
        "unit": str(unit_pk),
    }
    if part != "numerator":
        query["part"] = part
    return f"{reverse('analytics:records')}?{urlencode(query)}"


def scorecard(request: HttpRequest) -> HttpResponse:
    user = request.user
    require_analytics(user)
    region, choices = place_and_choices(user, request.GET.get("region", ""))
    start, end, errors = _period(request.GET, timezone.localdate())
    card = rules.scorecard(region.prefix, start, end)
    if request.GET.get("format") == "xlsx" and not errors:
        return _xlsx(request, card, region)
    names = [rules.SCORABLE[c].label for c in card.codes]
    rows = [
        {
            "score": row,
            "cells": [
                {
                    "figure": row.figures[code],
                    "url": _records_url(code, region, start, end, row.unit.pk, "numerator"),
                    "base_url": _records_url(code, region, start, end, row.unit.pk, "denominator"),
                }
                for code in card.codes
            ],
        }
        for row in card.rows
    ]
    query = {"region": region.code, "from": start.isoformat(), "to": end.isoformat()}
    context = {
        "card": card,
        "region": region,
        "choices": choices,
        "start": start,
        "end": end,
        "errors": errors,
        "names": names,
        "rows": rows,
        "weights": [
            (
                rules.SCORABLE[c].label,
                _number(card.weights.values[c]),
                rules.SCORABLE[c].formula_label,
            )
            for c in card.codes
        ],
        "xlsx_url": f"{reverse('analytics:scorecard')}?{urlencode({**query, 'format': 'xlsx'})}",
        "can_configure": holds(user, Action.CONFIGURE_SCORECARD),
    }
    return render(request, "analytics/scorecard.html", context, status=400 if errors else 200)


def _number(value: Decimal) -> str:
    """30.00 → "30", 12.50 → "12.5"."""
    return f"{value.normalize():f}"


def _weights_line(weights: rules.Weights) -> str:
    used = "、".join(f"{i.name}{_number(w)}" for i, w in weights.used())
    return _("权重：%(weights)s") % {"weights": used}


def _xlsx(request: HttpRequest, card: rules.Scorecard, region: Region) -> HttpResponse:
    now = timezone.localtime()
    codes = card.codes
    columns = [
        layout.Column("排名", 6, layout.Kind.INT),
        layout.Column("单位", 22, layout.Kind.WRAP),
        layout.Column("综合得分", 10, layout.Kind.AMOUNT),
        *(layout.Column(f"{rules.SCORABLE[c].name}（%）", 11, layout.Kind.AMOUNT) for c in codes),
        *(layout.Column(f"{rules.SCORABLE[c].name}基数", 13, layout.Kind.INT) for c in codes),
    ]
    rows = [
        [
            row.rank,
            row.unit.name,
            row.score,
            *(row.figures[c].value for c in codes),
            *(row.figures[c].denominator for c in codes),
        ]
        for row in card.rows
    ]
    info = layout.info_line(
        unit=region.name,
        start=card.start,
        end=card.end,
        exported=f"{layout.chinese_date(now.date())} {now:%H:%M}",
        count=len(rows),
    )
    ledger = layout.Ledger(
        title=f"{region.name}单位考评表",
        info=f"{info}　{_weights_line(card.weights)}（无基数的指标留空，不计入得分）",
        columns=columns,
        rows=rows,
        sheet_name="单位考评",
    )
    content = layout.to_bytes(layout.workbook_for([ledger]))
    filename = f"scorecard-{region.code}-{card.start:%Y%m%d}-{card.end:%Y%m%d}.xlsx"
    audit.record(request.user, audit.Kind.EXPORT, f"考评表 {filename}")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class WeightsForm(forms.Form):
    """One field per scorable rate; the service validates (so that its Chinese errors,
    naming the indicator, are the ones shown)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, indicator in rules.SCORABLE.items():
            self.fields[code] = forms.CharField(
                label=indicator.label,
                help_text=indicator.formula_label,
                required=False,
                max_length=10,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )


def weights(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not holds(user, Action.CONFIGURE_SCORECARD):
        raise PermissionDenied(_("只有管理员可以设置考评权重"))
    current = rules.current_weights()
    if request.method == "POST":
        form = WeightsForm(request.POST)
        if form.is_valid():
            try:
                rules.set_weights(by=user, weights=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("考评权重已保存"))
                return redirect("analytics:scorecard_weights")
    else:
        form = WeightsForm(initial={c: _number(w) for c, w in current.values.items()})
    status = 400 if form.errors else 200
    return render(
        request,
        "analytics/scorecard_weights.html",
        {"form": form, "current": current, "can_view": holds(user, Action.VIEW_ANALYTICS)},
        status=status,
    )
