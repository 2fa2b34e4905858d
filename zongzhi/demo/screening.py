"""The demo county's screening (排查): three standing schedules ("村每周、镇每旬、县每月"),
their rounds over the past eight weeks and the current periods, two special campaigns (one
finished, one running), and the reports: most filed on time and zero, some late, some
missing, the current ones partly still to come, and a few dozen with findings registered
as hazards (or, where the cases demo has a case that screening found, linked to it).

Rounds are opened by `services.open_due_rounds` as the scheduler would have opened them,
each with the day it would have run, and campaigns by `services.launch_campaign`.

Reports with findings, and reports filed today, are filed through `services.file_report`.
It dates a filing today, so the demo's history is back-dated afterwards with one update
per group of like reports (`filed_on`, `filed_at`, `is_late`: a report keeps no timeline
that this would contradict), and so are the rounds' opening times and the day each hazard
in a report was found. The five thousand or so past zero reports are written the same
way in bulk: filing a zero report sets exactly these fields and no others (no items, no
timeline), and one service call each would add some twenty seconds to the demo.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from zongzhi.accounts.actors import Actor
from zongzhi.accounts.models import User
from zongzhi.accounts.permissions import SYSTEM
from zongzhi.cases.models import Case
from zongzhi.categories.models import Category
from zongzhi.core.services import actor_id
from zongzhi.demo import hazards as hazard_demo
from zongzhi.hazards.models import Hazard
from zongzhi.regions.models import Region
from zongzhi.screening import rules, services
from zongzhi.screening.models import (
    ScreeningItem,
    ScreeningReport,
    ScreeningRound,
    ScreeningSchedule,
)
from zongzhi.units.models import Unit
from zongzhi.workdays.selectors import current_calendar

WEEKS = 8  # how far back the rounds go
K = Unit.Kind
Reporters = ScreeningSchedule.Reporters

SCHEDULES = [
    # "村每周": the grid workers look round their grids and report grid by grid.
    ("网格周排查", rules.Cadence.WEEKLY, Reporters.REGIONS, Region.Level.GRID, []),
    (
        "乡镇旬排查",
        rules.Cadence.TEN_DAY,
        Reporters.UNITS,
        Region.Level.TOWNSHIP,
        [
            K.CENTRE,
            K.POLICE,
            K.JUSTICE,
        ],
    ),
    (
        "县直部门月排查",
        rules.Cadence.MONTHLY,
        Reporters.UNITS,
        Region.Level.COUNTY,
        [k for k in K.values if k not in {K.CENTRE, K.COURT}],
    ),
]

# How reports turn out once their due day has passed.
MISSING_SHARE = 0.02
MISSING_SHARE_WEAK = 0.35  # a few grids that often do not report
WEAK_GRID_SHARE = 0.04
LATE_SHARE = 0.05
# Reports carrying findings registered as hazards, by kind of round.
FINDINGS = {
    ScreeningRound.Kind.WEEKLY: 18,
    ScreeningRound.Kind.TEN_DAY: 6,
    ScreeningRound.Kind.MONTHLY: 5,
    ScreeningRound.Kind.CAMPAIGN: 4,
}
# When people file: each filer has their habit (a grid worker in the evening …).
FILING_HOURS = (time(9, 20), time(11, 5), time(15, 40), time(17, 10), time(20, 30))


@dataclass
class _Filing:
    report: ScreeningReport
    by: Actor  # who files it
    filed_on: date
    late: bool
    findings: list[services.Finding]
    linked: list[Case]

    def at(self) -> time:
        """The filer's usual hour, a few minutes either way from day to day."""
        usual = FILING_HOURS[(getattr(self.by, "pk", None) or 0) % len(FILING_HOURS)]
        return usual.replace(minute=(usual.minute + self.filed_on.toordinal() % 17) % 60)

    @property
    def in_bulk(self) -> bool:
        return not self.findings


def load_demo_screening(rng: random.Random, county: Region, *, today: date | None = None) -> int:
    """Give the demo county its screening; return how many reports were filed (0 when it
    has its schedules already)."""
    if ScreeningSchedule.objects.filter(region=county).exists():
        return 0
    today = today or timezone.localdate()
    directory = hazard_demo.Directory(county)
    _schedules(county)
    first = today - timedelta(weeks=WEEKS)
    _open_rounds(first, today)
    _campaigns(county, today)
    reports = list(
        ScreeningReport.objects.filter(region_prefix__startswith=county.prefix)
        .select_related("round", "region", "unit__region")
        .order_by("round__period_start", "round_id", "region_prefix", "pk")
    )
    filings = _plan_filings(rng, directory, reports, today)
    _plan_findings(rng, directory, filings)
    _link_cases(filings, directory, first)
    for filing in filings.values():
        if filing.findings or filing.filed_on == today:
            services.file_report(
                by=filing.by,
                report=filing.report,
                findings=filing.findings,
                zero=not filing.findings,
            )
    _back_date(filings, today)
    return len(filings)


# --- Schedules and rounds ---------------------------------------------------------------


def _schedules(county: Region) -> None:
    # Standing duties are reference data, set up by the administrator in the admin.
    ScreeningSchedule.objects.bulk_create(
        ScreeningSchedule(
            name=name,
            cadence=cadence,
            region=county,
            reporters=reporters,
            reporter_level=level,
            unit_kinds=kinds,
            grace_days=1,
        )
        for name, cadence, reporters, level, kinds in SCHEDULES
    )


def _open_rounds(first: date, today: date) -> None:
    """Every round from `first` to today, each opened on its first day (as the hourly
    scheduler opens it), the current ones included."""
    days = {first, today}
    for cadence in rules.Cadence:
        days.update(max(p.start, first) for p in rules.periods_between(cadence, first, today))
    for day in sorted(days):
        for round_ in services.open_due_rounds(today=day):
            _opened_on(round_, round_.period_start)


def _opened_on(round_: ScreeningRound, day: date) -> None:
    tz = timezone.get_current_timezone()
    ScreeningRound.objects.filter(pk=round_.pk).update(
        created_at=datetime.combine(day, time(0, 5), tz)
    )


def _campaigns(county: Region, today: date) -> None:
    calendar = current_calendar()
    leader = User.objects.filter(username="county_leader").first() or SYSTEM
    categories = {c.code: c for c in Category.objects.filter(parent__isnull=True)}
    finished_start = today - timedelta(days=49)
    finished_end = finished_start + timedelta(days=20)
    wages = services.launch_campaign(
        by=leader,
        title="欠薪问题专项排查",
        region=county,
        period_start=finished_start,
        period_end=finished_end,
        due_on=calendar.add_working_days(finished_end, 2),
        reporters=Reporters.REGIONS,
        reporter_level=Region.Level.VILLAGE,
        focus_categories=[categories["LZJF"]],
        instructions=(
            "岁末年初农民工工资支付集中，各村（社区）对辖区在建工程项目、劳动密集型企业"
            "逐一排查欠薪隐患，做到底数清、情况明；发现苗头及时登记并明确包保责任人。"
        ),
    )
    _opened_on(wages, finished_start - timedelta(days=2))
    running_start = today - timedelta(days=10)
    running_end = today + timedelta(days=20)
    land = services.launch_campaign(
        by=leader,
        title="征地拆迁矛盾专项排查",
        region=county,
        period_start=running_start,
        period_end=running_end,
        due_on=calendar.add_working_days(running_end, 2),
        reporters=Reporters.UNITS,
        reporter_level=Region.Level.TOWNSHIP,
        unit_kinds=[K.CENTRE, K.JUSTICE],
        focus_categories=[categories["ZDCQ"]],
        instructions=(
            "围绕重点项目征地、城市更新拆迁和安置房分配，排查补偿款兑付、安置落实等"
            "方面的矛盾隐患，逐项建立台账，一事一策落实化解措施。"
        ),
    )
    _opened_on(land, running_start - timedelta(days=1))


# --- Who files what, and when -----------------------------------------------------------


def _filer(directory: hazard_demo.Directory, report: ScreeningReport) -> Any:
    """A grid's report by its grid worker; a unit's by its own person; otherwise the
    township's centre files on the reporter's behalf (代报)."""
    if report.unit is not None:
        return directory.handler(report.unit) or directory.intake(report.unit.region)
    assert report.region is not None
    return directory.grid_worker(report.region) or directory.intake(report.region)


def _is_staffed(directory: hazard_demo.Directory, report: ScreeningReport) -> bool:
    return report.region is not None and directory.grid_worker(report.region) is not None


def _plan_filings(
    rng: random.Random,
    directory: hazard_demo.Directory,
    reports: list[ScreeningReport],
    today: date,
) -> dict[int, _Filing]:
    weak = {g.pk for g in directory.grids if rng.random() < WEAK_GRID_SHARE}
    # The demo's own grid workers missed one week, three weeks ago: it waits for them.
    missed_week = rules.period_of(rules.Cadence.WEEKLY, today - timedelta(weeks=3)).start
    filings: dict[int, _Filing] = {}
    for report in reports:
        start, end, due = report.round.period_start, report.round.period_end, report.due_on
        if due < today:
            missing = MISSING_SHARE_WEAK if report.region_id in weak else MISSING_SHARE
            if _is_staffed(directory, report):
                missing = float(start == missed_week)
            roll = rng.random()
            if roll < missing:
                continue
            if roll < missing + LATE_SHARE and due + timedelta(days=1) < today:
                filed_on = min(due + timedelta(days=rng.randint(1, 4)), today - timedelta(1))
                filings[report.pk] = _filing(directory, report, filed_on, late=True)
                continue
            last_days = max(start, end - timedelta(days=2))
            filed_on = last_days + timedelta(days=rng.randint(0, (due - last_days).days))
            filings[report.pk] = _filing(directory, report, filed_on, late=False)
            continue
        # Not due yet: the period has just ended (most have reported) or is running.
        share = 0.8 if end < today else min(0.6, ((today - start).days + 1) / (end - start).days)
        if rng.random() < share:
            filed_on = max(start, today - timedelta(days=rng.randint(0, 2)))
            filings[report.pk] = _filing(directory, report, filed_on, late=False)
    return filings


def _filing(
    directory: hazard_demo.Directory, report: ScreeningReport, filed_on: date, *, late: bool
) -> _Filing:
    return _Filing(
        report=report,
        by=_filer(directory, report),
        filed_on=filed_on,
        late=late,
        findings=[],
        linked=[],
    )


def _plan_findings(
    rng: random.Random, directory: hazard_demo.Directory, filings: dict[int, _Filing]
) -> None:
    """A few dozen reports name what they found; each finding becomes a hazard."""
    categories = {c.code: c for c in Category.objects.select_related("parent")}
    by_kind: dict[str, list[_Filing]] = defaultdict(list)
    for filing in filings.values():
        by_kind[filing.report.round.kind].append(filing)
    for kind, wanted in FINDINGS.items():
        candidates = by_kind[kind]
        if kind == ScreeningRound.Kind.WEEKLY:
            # The demo's grid workers find a good share: it is their page people try.
            staffed = [f for f in candidates if _is_staffed(directory, f.report)]
            chosen = rng.sample(staffed, min(len(staffed), wanted // 3))
            chosen += rng.sample(candidates, wanted - len(chosen))
        elif kind in {ScreeningRound.Kind.TEN_DAY, ScreeningRound.Kind.MONTHLY}:
            findable = [
                f
                for f in candidates
                if f.report.unit is not None and f.report.unit.kind in hazard_demo.FOUND_BY_UNIT
            ]
            chosen = rng.sample(findable, min(len(findable), wanted))
        else:
            chosen = rng.sample(candidates, min(len(candidates), wanted))
        for filing in chosen:
            for _ in range(2 if rng.random() < 0.2 else 1):
                filing.findings.append(_finding(rng, directory, categories, filing.report))


def _finding(
    rng: random.Random,
    directory: hazard_demo.Directory,
    categories: dict[str, Category],
    report: ScreeningReport,
) -> services.Finding:
    text = None
    if report.unit is not None:
        text = hazard_demo.text_for_unit(rng, report.unit.kind)
        reporter_region = report.unit.region
    else:
        assert report.region is not None
        reporter_region = report.region
    if report.round.kind == ScreeningRound.Kind.CAMPAIGN:
        # A campaign looks for its own focus.
        wages = report.round.title.startswith("欠薪")
        codes = ["LZJF01", "LZJF03"] if wages else ["ZDCQ01", "ZDCQ03"]
        text = hazard_demo.text_for_codes(rng, codes)
    text = text or hazard_demo.text_on_grid(rng)
    grids = [
        g for g in directory.grids if g.prefix.startswith(reporter_region.prefix)
    ] or directory.grids
    place = reporter_region if reporter_region.level == Region.Level.GRID else rng.choice(grids)
    drafted = hazard_demo.draft(rng, directory, categories, place, text)
    return services.Finding(
        kind=ScreeningItem.Kind.HAZARD,
        category=drafted.category,
        title=drafted.title,
        description=drafted.description,
        region=drafted.region,
        people_count=drafted.people_count,
        amount=drafted.amount,
        risk_level=drafted.level,
        risk_reasons=drafted.reasons,
        responsible_unit=drafted.unit,
        guardian_name=drafted.guardian,
        guardian_phone=drafted.guardian_phone,
    )


def _link_cases(filings: dict[int, _Filing], directory: hazard_demo.Directory, first: date) -> None:
    """The cases demo registers some cases as found in screening (排查发现): each is
    linked to the report that found it, the grid's weekly report for the week it came
    in (or, for a village, its township centre's ten-day report)."""
    by_place: dict[tuple[str, int, date], _Filing] = {}
    for filing in filings.values():
        r = filing.report
        by_place[r.round.kind, r.unit_id or r.region_id or 0, r.round.period_start] = filing
    found = Case.objects.filter(
        channel=Case.Channel.SCREENING,
        region_prefix__startswith=directory.county.prefix,
        registered_at__date__gte=first,
        screening_item__isnull=True,
    ).select_related("region")
    for case in found:
        day = timezone.localtime(case.registered_at).date()
        if case.region.level == Region.Level.GRID:
            key = (
                ScreeningRound.Kind.WEEKLY,
                case.region.pk,
                rules.period_of(rules.Cadence.WEEKLY, day).start,
            )
        elif case.region.level == Region.Level.VILLAGE:
            centre = directory.unit(directory.township_of(case.region), K.CENTRE)
            if centre is None:
                continue
            key = (
                ScreeningRound.Kind.TEN_DAY,
                centre.pk,
                rules.period_of(rules.Cadence.TEN_DAY, day).start,
            )
        else:
            continue
        finder = by_place.get(key)
        if finder is not None and finder.filed_on >= day:
            finder.linked.append(case)


def _back_date(filings: dict[int, _Filing], today: date) -> None:
    """Date each filing as the demo has it, and write the past zero reports, one update
    per group of like filings."""
    tz = timezone.get_current_timezone()
    groups: dict[tuple[date, bool, time, bool, Any], list[int]] = defaultdict(list)
    for f in filings.values():
        if f.filed_on == today and not f.linked:
            continue  # filed today through the service: its own date and time stand
        by = f.by if f.filed_on < today and f.in_bulk else None
        groups[f.filed_on, f.late, f.at(), bool(f.linked), by].append(f.report.pk)
    for (filed_on, late, at, listed, by), pks in groups.items():
        changes: dict[str, Any] = {"filed_on": filed_on, "is_late": late}
        if filed_on < today:
            changes["filed_at"] = datetime.combine(filed_on, at, tz)
        if by is not None:  # filed here, as services.file_report files a zero report
            changes["filed_by_id"] = actor_id(by)
            changes["is_zero"] = True
        if listed:
            changes["is_zero"] = False  # it lists the case linked below
        for chunk in range(0, len(pks), 500):
            ScreeningReport.objects.filter(pk__in=pks[chunk : chunk + 500]).update(**changes)
    # What screening found is linked to the report; no timeline records the link.
    ScreeningItem.objects.bulk_create(
        ScreeningItem(report_id=f.report.pk, kind=ScreeningItem.Kind.CASE, case=case)
        for f in filings.values()
        for case in f.linked
    )
    # A hazard found in a report was found the day the report was filed.
    for f in filings.values():
        if f.findings and f.filed_on < today:
            Hazard.objects.filter(screening_item__report_id=f.report.pk).update(
                discovered_on=f.filed_on
            )


__all__ = ["load_demo_screening"]
