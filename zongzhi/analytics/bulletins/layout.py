"""The data assembly: a place and a period turned into a `BulletinLayout`. Every number
comes from indicators.py; nothing here divides one count by another."""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.permissions import scope_q
from zongzhi.accounts.rules import Action
from zongzhi.analytics import charts, hotspots, indicators, signoff
from zongzhi.analytics.bulletins.periods import Period
from zongzhi.analytics.bulletins.structure import (
    TITLE_ENDINGS,
    Block,
    BulletinLayout,
    Chart,
    Kind,
    Part,
    Table,
    Text,
    Writing,
)
from zongzhi.analytics.models import COUNTERS
from zongzhi.cases.documents import chinese_date, chinese_number
from zongzhi.cases.models import Case
from zongzhi.categories.models import Category
from zongzhi.hazards.models import Hazard
from zongzhi.regions.models import Region
from zongzhi.regions.rules import ancestor_prefixes
from zongzhi.units.models import Unit

TREND_MONTHS = 12
TOP_CATEGORIES = 11  # first-level categories shown; the rest are summed as REST
REST = "其余类别"
MAX_LISTED = 50  # overdue cases and hazards listed; the rest are counted
WATCH_LEVELS = (Hazard.Level.HIGH, Hazard.Level.MAJOR)
DASH = "—"


# --- Where a user may make one ----------------------------------------------------------


def bulletin_regions(user: Actor) -> QuerySet[Region]:
    """The counties and townships inside `user`'s analytics grants: the places a bulletin
    can be made for."""
    return Region.objects.filter(
        scope_q(user, Action.VIEW_ANALYTICS, region_prefix="prefix"),
        level__in=(Region.Level.COUNTY, Region.Level.TOWNSHIP),
    ).order_by("code")


# --- Figures ------------------------------------------------------------------------------


def headline(figs: dict[str, indicators.Figure], period: Period, place: str, as_of: date) -> str:
    """The headline paragraph in the seeds' style, every number from `figs`."""
    f = {code: figure.display for code, figure in figs.items()}
    accepted = figs["accepted"].value
    if not accepted:
        sentence = f"{period.word}登记矛盾纠纷{f['received']}件，未有受理的矛盾纠纷。"
    else:
        visited = figs["satisfaction_rate"].denominator or 0
        sentence = (
            f"{period.word}共受理矛盾纠纷{f['accepted']}件，化解{f['resolved']}件，"
            f"化解率{f['resolution_rate']}；办结{f['closed']}件，办结率{f['closure_rate']}，"
            f"按期办结率{f['on_time_rate']}；回访{visited}件，满意率{f['satisfaction_rate']}。"
            f"登记的{f['received']}件中，不予受理{f['rejected']}件，尚在办理{f['open']}件。"
        )
    overdue = (
        f"截至{as_of.month}月{as_of.day}日，{place}超期未办结事项{f['overdue']}件。"
        if figs["overdue"].value
        else f"截至{as_of.month}月{as_of.day}日，{place}无超期未办结事项。"
    )
    return sentence + overdue


def _rate(code: str, sums: dict[str, int]) -> indicators.Figure:
    return indicators.figure(indicators.INDICATORS[code], sums, {})


def _month_starts(end: date, count: int) -> list[date]:
    year, month = end.year, end.month
    out = []
    for _ in range(count):
        out.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _trend(prefix: str, period: Period) -> Chart:
    months = _month_starts(period.end, TREND_MONTHS)
    rows = {
        (r["key"].year, r["key"].month): r
        for r in indicators.breakdown(prefix, months[0], period.end, by="month")
    }
    points = []
    for i, month in enumerate(months):
        row = rows.get((month.year, month.month)) or dict.fromkeys(COUNTERS, 0)
        points.append(
            charts.TrendPoint(
                label=f"{month.month}月",
                year_label=f"{month.year}年" if i == 0 or month.month == 1 else "",
                accepted=row["accepted"],
                resolved=row["resolved"],
                rate=_rate("resolution_rate", row).value,  # type: ignore[arg-type]
            )
        )
    caption = (
        f"图1  近{TREND_MONTHS}个月矛盾纠纷受理数、化解数和化解率"
        f"（截至{period.end.year}年{period.end.month}月，按登记月份）"
    )
    return Chart(caption, charts.trend_chart(points))


def _category_part(prefix: str, period: Period, number: str) -> Part:
    """Accepted cases by first-level category (the chart) and the leading second-level
    categories (the sentence). The rollups count by second-level category."""
    rows = [
        r
        for r in indicators.breakdown(prefix, period.start, period.end, by="category")
        if r["accepted"]
    ]
    if not rows:
        return Part(f"{number}、分类情况", (Text(f"{period.word}未受理矛盾纠纷。"),))
    names = {
        pk: (name, parent or name)
        for pk, name, parent in Category.objects.filter(
            pk__in=[r["key"] for r in rows]
        ).values_list("pk", "name", "parent__name")
    }
    groups: dict[str, int] = {}
    leaves: list[tuple[str, int]] = []
    for r in rows:
        name, group = names.get(r["key"], ("未分类", "未分类"))
        groups[group] = groups.get(group, 0) + r["accepted"]
        leaves.append((name, r["accepted"]))
    ranked = sorted(groups.items(), key=_by_count)
    if len(ranked) > TOP_CATEGORIES + 1:
        rest = sum(count for _, count in ranked[TOP_CATEGORIES:])
        # Not "其他": that is a category of its own.
        ranked = [*ranked[:TOP_CATEGORIES], (REST, rest)]
    top = "、".join(f"{name}（{count}件）" for name, count in ranked[:3] if name != REST)
    top_leaves = "、".join(
        f"{name}（{count}件）" for name, count in sorted(leaves, key=_by_count)[:3]
    )
    return Part(
        f"{number}、分类情况",
        (
            Text(f"从类别看，{period.word}受理量居前的是{top}；具体类别中，{top_leaves}较多。"),
            Chart(f"图2  {period.label}受理矛盾纠纷分类（件）", charts.bar_chart(ranked)),
        ),
    )


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return (-item[1], item[0])


@dataclass(frozen=True)
class UnitRank:
    rank: int | None  # None: no case accepted, nothing to rank
    name: str
    accepted: int
    resolved: int
    resolution: indicators.Figure
    closed: int
    closure: indicators.Figure


def unit_ranking(prefix: str, level: int, period: Period) -> list[UnitRank]:
    """The units that led cases of the subtree in the period, ranked by 化解率 then 办结率
    (equal rates share a rank), and after them, unranked, the units of the place's own
    level and the level below that accepted none (a county's departments and township
    units; a township's units and village committees). Deeper units without cases are
    left out: a county's bulletin would otherwise list every village committee."""
    sums = {
        r["key"]: r
        for r in indicators.breakdown(prefix, period.start, period.end, by="unit")
        if r["key"] is not None
    }
    answerable = Q(region__prefix__startswith=prefix, region__level__lte=level + 1, is_active=True)
    units = Unit.objects.filter(Q(pk__in=list(sums)) | answerable).only("pk", "name")
    empty = dict.fromkeys(COUNTERS, 0)
    entries = []
    for unit in units:
        row = sums.get(unit.pk, empty)
        entries.append(
            UnitRank(
                rank=None,
                name=unit.name,
                accepted=row["accepted"],
                resolved=row["resolved"],
                resolution=_rate("resolution_rate", row),
                closed=row["closed"],
                closure=_rate("closure_rate", row),
            )
        )

    return rank_units(entries)


def rank_units(entries: Iterable[UnitRank]) -> list[UnitRank]:
    """The ranking rule (pure): by 化解率, then 办结率, highest first; units with equal
    rates share a rank (1, 2, 2, 4), listed by accepted count and name. Units that
    accepted nothing have no rates to rank: they come last, unranked, by name."""

    def key(e: UnitRank) -> tuple[Any, ...]:
        return (
            e.accepted == 0,
            -(e.resolution.value or 0),
            -(e.closure.value or 0),
            -e.accepted,
            e.name,
        )

    ranked: list[UnitRank] = []
    for i, e in enumerate(sorted(entries, key=key)):
        previous = ranked[-1] if ranked else None
        if not e.accepted:
            ranked.append(replace(e, rank=None))
        elif (
            previous is not None
            and previous.resolution.value == e.resolution.value
            and previous.closure.value == e.closure.value
        ):
            ranked.append(replace(e, rank=previous.rank))
        else:
            ranked.append(replace(e, rank=i + 1))
    return ranked


def _unit_part(region: Region, period: Period, number: str) -> Part:
    ranking = unit_ranking(region.prefix, region.level, period)
    rows = tuple(
        (
            str(u.rank) if u.rank is not None else DASH,
            u.name,
            str(u.accepted),
            str(u.resolved) if u.accepted else DASH,
            u.resolution.display,
            str(u.closed) if u.accepted else DASH,
            u.closure.display,
        )
        for u in ranking
    )
    table = Table(
        header=("排名", "承办单位", "受理数", "化解数", "化解率", "办结数", "办结率"),
        rows=rows,
        widths=(8, 34, 11, 11, 13, 11, 13),
        numeric=frozenset({0, 2, 3, 4, 5, 6}),
        empty="本辖区尚无承办单位。",
        note=(
            "按化解率排序，化解率相同的按办结率排序；本级和下一级单位中本期未承办事项的"
            "列于最后，以“—”表示。"
        ),
    )
    return Part(f"{number}、各单位化解情况排名", (table,))


def _overdue_part(
    prefix: str, period: Period, today: date, count: int, place: str, number: str
) -> Part:
    cases = list(
        indicators.records("overdue", prefix, period.start, period.end, today)
        .select_related("lead_unit")
        .only("code", "title", "due_on", "lead_unit__name")
        .order_by("due_on", "code")[:MAX_LISTED]
    )
    # A title may name a party ("张三与李四宅基地纠纷"): the names are taken out (张某).
    names = hotspots.people_named(Case.objects.filter(pk__in=[c.pk for c in cases]))
    rows = tuple(
        (
            str(i),
            case.code,
            hotspots.without_names(case.title, names.get(case.pk, ())),
            case.lead_unit.name if case.lead_unit else "未派单",
            f"{case.due_on:%Y-%m-%d}" if case.due_on else DASH,
            str((today - case.due_on).days) if case.due_on else DASH,
        )
        for i, case in enumerate(cases, start=1)
    )
    more = count - len(rows)
    table = Table(
        header=("序号", "查询码", "事项", "承办单位", "办理期限", "超期天数"),
        rows=rows,
        widths=(8, 22, 24, 18, 16, 12),
        numeric=frozenset({0, 1, 4, 5}),
        empty=f"截至{today.month}月{today.day}日，{place}无超期未办结事项。",
        note=f"另有{more}件超期事项未列出，详见系统。" if more > 0 else "",
    )
    intro = Text(
        f"截至{today.month}月{today.day}日，{place}尚在办理且已超过办理期限的事项共{count}件"
        "（不含中止计时的事项），请承办单位抓紧办结。"
    )
    return Part(f"{number}、超期未办结事项", (intro, table) if count else (table,))


def hazards_to_watch(prefix: str, today: date) -> QuerySet[Hazard]:
    """Open hazards in the subtree at a high or major level, and those past their review."""
    watched = Hazard.objects.open().filter(level__in=WATCH_LEVELS)
    return (
        (watched | Hazard.objects.review_overdue(today))
        .filter(region_prefix__startswith=prefix)
        .select_related("region", "responsible_unit")
        .order_by("next_review_on", "code")
    )


def _hazard_part(prefix: str, today: date, place: str, number: str) -> Part:
    hazards = list(hazards_to_watch(prefix, today)[: MAX_LISTED + 1])
    more = len(hazards) > MAX_LISTED
    rows = []
    for i, h in enumerate(hazards[:MAX_LISTED], start=1):
        review = f"{h.next_review_on:%Y-%m-%d}" if h.next_review_on else DASH
        if h.next_review_on and h.next_review_on < today:
            review += "（已逾期）"
        rows.append(
            (
                str(i),
                h.title,
                h.region.name,
                str(h.get_level_display()),
                h.responsible_unit.name,
                review,
            )
        )
    table = Table(
        header=("序号", "隐患名称", "所在地", "风险等级", "责任单位", "下次复查"),
        rows=tuple(rows),
        widths=(8, 23, 16, 11, 17, 25),
        numeric=frozenset({0, 3, 5}),
        empty=f"截至{today.month}月{today.day}日，{place}无高风险、重大风险或复查逾期的在管隐患。",
        note=f"仅列出前{MAX_LISTED}项，其余详见风险隐患台账。" if more else "",
    )
    intro = Text(
        "以下为在管控中、风险等级为高或重大，以及已过复查日期的风险隐患，请责任单位落实管控、按期复查。"
    )
    return Part(f"{number}、需重点关注的风险隐患", (intro, table) if rows else (table,))


def _channel_part(prefix: str, period: Period, number: str) -> Part:
    rows = []
    for r in indicators.breakdown(prefix, period.start, period.end, by="channel"):
        if not r["received"]:
            continue
        label = str(Case.Channel(r["key"]).label) if r["key"] in Case.Channel.values else r["key"]
        rows.append((label, r))
    rows.sort(key=lambda item: (-item[1]["received"], item[0]))
    table = Table(
        header=("来源渠道", "登记数", "受理数", "化解数", "化解率"),
        rows=tuple(
            (
                label,
                str(r["received"]),
                str(r["accepted"]),
                str(r["resolved"]),
                _rate("resolution_rate", r).display,
            )
            for label, r in rows
        ),
        widths=(34, 16, 16, 16, 18),
        numeric=frozenset({1, 2, 3, 4}),
        empty=f"{period.word}无登记事项。",
    )
    return Part(f"{number}、来源渠道", (table,))


def _meeting_part(number: str) -> Part:
    return Part(
        f"{number}、研判意见",
        (
            Writing(
                prompts=(
                    "（一）形势研判：",
                    "（二）重点事项及责任分工：",
                    "（三）下步工作措施：",
                ),
                lines=4,
            ),
            Text("参会人员：" + "\u3000" * 16),
            Text("记录人：" + "\u3000" * 8 + "日期：\u3000\u3000年\u3000\u3000月\u3000\u3000日"),
        ),
    )


def _hotspot_part(prefix: str, period: Period, today: date, number: str) -> Part:
    """The hotspots (热点) for the period's days, against the same number of days before
    it: hotspots.py decides what a hotspot is."""
    end = min(period.end, today)
    days = (end - period.start).days + 1
    found = hotspots.hotspots(prefix, end, days=days)[:MAX_LISTED]
    rows = tuple(
        (
            str(i),
            h.place.name if h.place else h.place_prefix,
            h.category.name if h.category else "未分类",
            str(h.count),
            f"{h.baseline.mean:.1f}",
        )
        for i, h in enumerate(found, start=1)
    )
    table = Table(
        header=("序号", "地点", "类别", "本期登记数", "此前平均"),
        rows=rows,
        widths=(8, 30, 30, 16, 16),
        numeric=frozenset({0, 3, 4}),
        empty=f"{period.word}未发现登记量明显高于以往的地点和类别。",
        note=(
            f"热点：某村（社区）某类事项{period.word}登记数明显高于此前"
            f"{hotspots.BASELINE_WINDOWS}个同样长度期间的平均水平。"
        ),
    )
    return Part(f"{number}、矛盾纠纷热点", (table,))


def _place_name(region: Region) -> str:
    """The place as written on the document: from the county down, 华宁县宁州街道."""
    names = dict(
        Region.objects.filter(
            prefix__in=ancestor_prefixes(region.prefix), level__gte=Region.Level.COUNTY
        ).values_list("prefix", "name")
    )
    return "".join(names[p] for p in ancestor_prefixes(region.prefix) if p in names) or region.name


def _reported(
    region: Region, period: Period, figs: dict[str, indicators.Figure]
) -> tuple[dict[str, indicators.Figure], bool, str]:
    """The figures to report, whether they are the approved ones, and the note saying
    which. An approved month (审核上报) is reported from its snapshot, so what was approved
    is what is circulated; the overdue count stays live, like the overdue list below it."""
    if not period.is_month:
        return figs, False, ""
    snapshot = signoff.reported_figures(region, period.start)
    if snapshot is None:
        return figs, False, f"{period.label}数据尚未审核上报，以上为当前统计数据。"
    approved = {k: v for k, v in signoff.snapshot_figures(snapshot).items() if k != "overdue"}
    note = (
        f"{period.label}总体数据为已审核上报的数据；分类、单位排名等为当前统计数据，"
        "如有差异，以已审核数据为准。"
    )
    return {**figs, **approved}, True, note


def bulletin_layout(
    *, kind: Kind, region: Region, period: Period, today: date | None = None
) -> BulletinLayout:
    """Everything the document says, for `region`'s subtree and `period`."""
    today = today or timezone.localdate()
    prefix = region.prefix
    with translation.override("zh-hans"):  # a Chinese document whatever the screen language
        place = _place_name(region)
        live = indicators.figures(prefix, period.start, period.end, today)
        figs, approved, note = _reported(region, period, live)
        overview: list[Block] = [Text(headline(figs, period, region.name, today))]
        if note:
            overview.append(Text(note))
        overview.append(_trend(prefix, period))
        numbers = iter(chinese_number(n) for n in range(1, 20))
        parts = [
            Part(f"{next(numbers)}、总体情况", tuple(overview)),
            _category_part(prefix, period, next(numbers)),
        ]
        if kind == Kind.PACK:
            parts.append(_channel_part(prefix, period, next(numbers)))
        parts.append(_unit_part(region, period, next(numbers)))
        overdue = int(figs["overdue"].value or 0)
        parts.append(_overdue_part(prefix, period, today, overdue, region.name, next(numbers)))
        parts.append(_hazard_part(prefix, today, region.name, next(numbers)))
        if kind == Kind.PACK:
            parts.append(_hotspot_part(prefix, period, today, next(numbers)))
            parts.append(_meeting_part(next(numbers)))
    title = f"{region.name}{period.label}{TITLE_ENDINGS[kind]}"
    return BulletinLayout(
        kind=kind,
        title=title,
        place=place,
        period=period,
        span_line=f"统计范围：{place}　统计期间：{period.span}",
        as_of_line=(
            f"数据截至{today.year}年{today.month}月{today.day}日。受理、化解等数据按期间内"
            "登记的事项统计；超期事项和风险隐患为截至当日的情况。"
        ),
        approved=approved,
        parts=tuple(parts),
        issuer=f"{region.name}综治中心",
        date=chinese_date(today),
        filename_stem=title,
    )
