"""The demo county's cases, and the registers built beside them (screening rounds and
reports, the hazard register, the daily report), as someone trying the demo would see them.

Loading the demo takes a while (the division file, then some three thousand steps through
the services), so it is loaded once for this module and rolled back at its end; each test
runs in its own transaction inside that one. The registers are tested here too so that
the demo is loaded once for all of them.
"""

import itertools
import random
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from zongzhi.accounts.models import User
from zongzhi.accounts.permissions import can
from zongzhi.accounts.rules import Action, Role
from zongzhi.briefings.models import DailyReport, DailyReportItem
from zongzhi.cases.models import (
    Case,
    CaseEvent,
    ExtensionRequest,
    MediationAgreement,
    Summons,
    SupervisionOrder,
)
from zongzhi.cases.rules import GROUP_SIZE, Status, Step
from zongzhi.demo.cases import load_demo_cases
from zongzhi.demo.county import COUNTY_PREFIX, load_demo
from zongzhi.hazards import rules as hazard_rules
from zongzhi.hazards.models import Hazard, HazardEvent, HazardMeasure, HazardReview
from zongzhi.regions.models import Region
from zongzhi.screening.models import ScreeningItem, ScreeningReport, ScreeningRound
from zongzhi.screening.rules import ReportState
from zongzhi.screening.selectors import state_q

pytestmark = [
    pytest.mark.usefixtures("demo", "db"),
    # `make demo` loads this county on SQLite, and production never loads it: it is tested
    # on SQLite only (a minute and a half of the PostgreSQL run saved; the services it
    # walks are tested on PostgreSQL by their own modules).
    pytest.mark.sqlite,
    pytest.mark.demo_county,
    # One worker loads the demo and runs these (make test runs with --dist loadgroup);
    # spread over both, each would load it.
    pytest.mark.xdist_group("demo"),
]


def _overdue() -> Any:
    today = timezone.localdate()
    return Case.objects.open().filter(due_on__lt=today, paused_since__isnull=True)


def test_the_demo_has_about_three_hundred_cases_in_every_status() -> None:
    statuses = list(Case.objects.values_list("status", flat=True))
    assert 250 <= len(statuses) <= 350
    assert set(statuses) == set(Status)
    count = {s: statuses.count(s) for s in Status}
    # Mostly done, a good number still being worked on, a few of everything else.
    done = count[Status.ARCHIVED] + count[Status.VISITED] + count[Status.CLOSED]
    assert done > len(statuses) / 2
    assert count[Status.ARCHIVED] == max(count.values())
    assert count[Status.IN_PROGRESS] >= 20


def test_cases_are_spread_over_every_township_many_villages_and_six_months() -> None:
    county = Region.objects.get(prefix=COUNTY_PREFIX)
    prefixes = list(Case.objects.values_list("region_prefix", flat=True))
    for township in county.children.all():
        assert sum(p.startswith(township.prefix) for p in prefixes) >= 10, township.name
    assert len({p[:12] for p in prefixes if len(p) >= 12}) >= 40
    assert sum(len(p) == 15 for p in prefixes) > len(prefixes) / 2  # mostly down to a grid
    first = Case.objects.order_by("registered_at").values_list("registered_at", flat=True)[0]
    now = timezone.now()
    assert now - timedelta(days=190) <= first <= now - timedelta(days=150)
    assert not CaseEvent.objects.filter(at__gt=now).exists()


def test_cases_come_through_every_channel_with_groups_sums_risks_and_urgent_flags() -> None:
    cases = Case.objects.all()
    # Every door a case comes in through (历史导入 is a ledger import's, not a door).
    doors = set(Case.Channel.values) - {Case.Channel.LEDGER}
    assert set(cases.values_list("channel", flat=True)) == doors
    assert set(cases.values_list("category__parent__code", flat=True)) >= {
        "HYJT",
        "LLJF",
        "LZJF",
        "ZDCQ",
        "SLTD",
    }
    assert cases.filter(people_count__gte=GROUP_SIZE).count() >= 10
    wages = cases.filter(category__code="LZJF01")
    assert wages.exists() and not wages.filter(amount__isnull=True).exists()
    risky = cases.filter(risk_level__in=[Case.Risk.HIGH, Case.Risk.MAJOR])
    assert risky.exists() and not risky.filter(risk_reasons="").exists()
    urgent = cases.filter(threat_of_violence=True) | cases.filter(threat_of_self_harm=True)
    assert 1 <= urgent.count() <= 25
    assert cases.filter(lng__isnull=False).exists()
    assert cases.filter(parties__role="respondent", parties__kind="organisation").exists()


def test_every_timeline_starts_with_its_registration_and_each_entry_follows_the_last() -> None:
    statuses = dict(Case.objects.values_list("pk", "status"))
    events = CaseEvent.objects.order_by("case_id", "at", "pk")
    for case_id, entries in itertools.groupby(events, key=lambda e: e.case_id):
        timeline = list(entries)
        assert timeline[0].step == Step.REGISTER
        assert timeline[0].from_status == ""
        for before, after in itertools.pairwise(timeline):
            assert after.from_status == before.to_status, (case_id, before.step, after.step)
        assert timeline[-1].to_status == statuses.pop(case_id)
    assert not statuses  # every case has a timeline


def test_every_kind_of_step_happens_somewhere() -> None:
    steps = set(CaseEvent.objects.values_list("step", flat=True))
    # 历史导入 comes from a ledger file, not from working a case (ledgers' own tests).
    assert steps == {str(s) for s in Step} - {Step.IMPORT}
    summonses = Summons.objects.all()
    assert summonses.filter(answered_at__isnull=False).exists()
    assert summonses.filter(answered_at__isnull=True).exists()  # a department yet to report
    decisions = set(ExtensionRequest.objects.values_list("decision", flat=True))
    assert {"granted", "refused", "pending"} <= decisions
    assert Case.objects.filter(centre__prefix=COUNTY_PREFIX).exists()  # escalated
    assert Case.objects.filter(related__isnull=False).exists()


def test_overdue_cases_have_their_automatic_supervision_order() -> None:
    overdue = list(_overdue())
    assert len(overdue) >= 5
    assert {c.status for c in overdue} & {Status.IN_PROGRESS, Status.DISPATCHED}
    for case in overdue:
        assert SupervisionOrder.objects.filter(
            case=case, automatic=True, for_due_on=case.due_on
        ).exists(), case.code
    # Orders were also raised in the past, on cases that have since been closed.
    assert SupervisionOrder.objects.filter(automatic=True, case__status=Status.ARCHIVED).exists()


def test_a_merged_duplicate_is_counted_once_in_the_case_it_was_merged_into() -> None:
    merged = Case.objects.filter(status=Status.MERGED).select_related("merged_into")
    assert merged.exists()
    assert Case.objects.counted().count() == Case.objects.count() - merged.count()
    for duplicate in merged:
        survivor = duplicate.merged_into
        assert survivor is not None and survivor.status != Status.MERGED
        assert survivor.events.filter(step=Step.ABSORB, data__duplicate=duplicate.code).exists()


def test_the_demo_people_do_the_work_their_roles_give_them() -> None:
    def acted(username: str, *steps: Step) -> bool:
        user = User.objects.get(username=username)
        return CaseEvent.objects.filter(actor=user, step__in=steps).exists()

    for slug in ["ningzhou", "panxi", "huaxi", "qinglong", "tonghongdian"]:
        assert acted(f"{slug}_intake", Step.ACCEPT), slug
        assert acted(f"{slug}_intake", Step.DISPATCH), slug
        assert acted(f"{slug}_justice", Step.START, Step.CLOSE), slug
    assert acted("county_intake", Step.DISPATCH)  # cases escalated to the county
    assert CaseEvent.objects.filter(
        actor__username__endswith="_leader", step=Step.SUPERVISE
    ).exists()
    assert Case.objects.filter(registered_by__username__contains="_v1_g").exists()
    # Village committees lead small disputes; the first villages' mediators sign agreements.
    assert MediationAgreement.objects.filter(
        made_by__username__endswith="_v1_mediator", committee__region__level=Region.Level.VILLAGE
    ).exists()


def _everything() -> tuple[int, ...]:
    return (
        Case.objects.count(),
        CaseEvent.objects.count(),
        SupervisionOrder.objects.count(),
        ScreeningRound.objects.count(),
        ScreeningReport.objects.filter(filed_at__isnull=False).count(),
        ScreeningItem.objects.count(),
        Hazard.objects.count(),
        HazardEvent.objects.count(),
        DailyReport.objects.count(),
        DailyReportItem.objects.count(),
    )


def test_loading_the_demo_again_changes_nothing() -> None:
    counts = _everything()
    load_demo(settings.ZONGZHI_DIVISIONS_DIR)
    assert load_demo_cases(random.Random(1)) == 0
    assert _everything() == counts


# --- Screening ----------------------------------------------------------------------------


def test_the_demo_has_rounds_of_every_kind_up_to_the_current_periods() -> None:
    today = timezone.localdate()
    rounds = ScreeningRound.objects.all()
    kinds = [r.kind for r in rounds]
    assert kinds.count(ScreeningRound.Kind.WEEKLY) >= 8
    assert kinds.count(ScreeningRound.Kind.TEN_DAY) >= 6
    assert kinds.count(ScreeningRound.Kind.MONTHLY) >= 3
    current = rounds.filter(period_start__lte=today, period_end__gte=today)
    assert {r.schedule.cadence for r in current.filter(schedule__isnull=False)} == {
        "weekly",
        "ten_day",
        "monthly",
    }
    campaigns = rounds.filter(kind=ScreeningRound.Kind.CAMPAIGN)
    assert campaigns.filter(period_end__lt=today).exists()  # one finished
    assert campaigns.filter(period_start__lte=today, period_end__gte=today).exists()
    assert not campaigns.filter(focus_categories__isnull=True).exists()
    # Grids report weekly, township stations every ten days, county departments monthly.
    weekly = ScreeningReport.objects.filter(round__kind=ScreeningRound.Kind.WEEKLY)
    assert not weekly.filter(region__level__lt=Region.Level.GRID).exists()
    monthly = ScreeningReport.objects.filter(round__kind=ScreeningRound.Kind.MONTHLY)
    assert not monthly.filter(unit__region__level__gt=Region.Level.COUNTY).exists()
    assert not monthly.filter(unit__kind__in=["centre", "court"]).exists()


def test_reports_are_mostly_on_time_and_zero_with_some_late_missing_and_pending() -> None:
    today = timezone.localdate()
    reports = ScreeningReport.objects.all()
    count = {state: reports.filter(state_q(state, today)).count() for state in ReportState}
    assert count[ReportState.ON_TIME] > 10 * count[ReportState.LATE] / 2 > 0
    assert count[ReportState.ON_TIME] > 10 * count[ReportState.MISSING] / 2 > 0
    assert count[ReportState.PENDING] > 0
    filed = reports.filter(filed_at__isnull=False)
    assert filed.filter(is_zero=True).count() > 0.9 * filed.count()
    # Filings are dated as they happened: over the weeks, never ahead of today.
    assert filed.values("filed_on").distinct().count() > 30
    assert not filed.filter(filed_on__gt=today).exists()
    assert not filed.filter(filed_at__gt=timezone.now()).exists()
    for report in filed.filter(is_late=True)[:50]:
        assert report.filed_on > report.due_on
    # Nothing is missing before its due day, nor pending after it.
    assert not reports.filter(state_q(ReportState.PENDING, today), due_on__lt=today).exists()


def test_every_report_was_filed_by_someone_who_may_file_it() -> None:
    people = {u.pk: u for u in User.objects.all()}
    filed = ScreeningReport.objects.filter(filed_at__isnull=False)
    for report in filed:
        assert report.filed_by_id is not None, report.pk
        assert can(people[report.filed_by_id], Action.FILE_SCREENING, report), report.pk
    # The demo's grid workers file their own grids'.
    assert filed.filter(filed_by__username__contains="_v1_g").exists()


def test_what_screening_found_is_registered_as_hazards_and_linked_to_the_report() -> None:
    items = ScreeningItem.objects.select_related("report", "hazard", "case")
    hazards = [i for i in items if i.kind == ScreeningItem.Kind.HAZARD]
    assert len(hazards) >= 24
    for item in hazards:
        assert item.hazard.source == Hazard.Source.SCREENING
        assert item.hazard.discovered_on == item.report.filed_on
        assert not item.report.is_zero
    for item in items.filter(kind=ScreeningItem.Kind.CASE):
        assert item.case.channel == Case.Channel.SCREENING
        assert item.report.filed_on >= timezone.localtime(item.case.registered_at).date()
    with_items = ScreeningReport.objects.filter(items__isnull=False)
    assert not with_items.filter(is_zero=True).exists()
    assert (
        not ScreeningReport.objects.filter(is_zero=False, filed_at__isnull=False)
        .exclude(items__isnull=False)
        .exists()
    )


# --- Hazards ------------------------------------------------------------------------------


def test_the_register_holds_about_sixty_hazards_at_every_level_and_in_every_status() -> None:
    hazards = Hazard.objects.all()
    assert 50 <= hazards.count() <= 70
    assert set(hazards.values_list("status", flat=True)) == set(Hazard.Status.values)
    assert set(hazards.values_list("level", flat=True)) == set(Hazard.Level.values)
    assert {"direct", "screening"} <= set(hazards.values_list("source", flat=True))
    assert hazards.filter(status=hazard_rules.Status.CONTROLLED).count() > hazards.count() / 2
    # Every hazard has its plan; measures are carried out and hazards reviewed.
    assert not hazards.filter(measures__isnull=True).exists()
    assert HazardMeasure.objects.filter(done_on__isnull=False).exists()
    assert HazardMeasure.objects.filter(done_on__isnull=True).exists()
    assert HazardReview.objects.exists()
    for escalated in hazards.filter(status=hazard_rules.Status.ESCALATED):
        assert escalated.case is not None
        assert escalated.case.channel == Case.Channel.SCREENING
    # Found over the past two months.
    first = hazards.order_by("discovered_on").values_list("discovered_on", flat=True)[0]
    assert first <= timezone.localdate() - timedelta(days=30)


def test_hazard_timelines_start_with_registration_and_each_step_follows_the_last() -> None:
    statuses = dict(Hazard.objects.values_list("pk", "status"))
    events = HazardEvent.objects.order_by("hazard_id", "at", "pk")
    for hazard_id, entries in itertools.groupby(events, key=lambda e: e.hazard_id):
        timeline = list(entries)
        assert timeline[0].step == hazard_rules.Step.REGISTER
        for before, after in itertools.pairwise(timeline):
            assert after.from_status == before.to_status, hazard_id
        assert timeline[-1].to_status == statuses.pop(hazard_id)
    assert not statuses


def test_some_reviews_are_overdue_and_their_owners_were_warned() -> None:
    overdue = list(Hazard.objects.review_overdue(timezone.localdate()))
    assert len(overdue) >= 3
    for hazard in overdue:
        assert hazard.events.filter(
            step=hazard_rules.Step.REVIEW_OVERDUE, for_review_on=hazard.next_review_on
        ).exists(), hazard.code
        assert not hazard.reviews.exists()  # never reviewed since it was found


def test_the_demo_people_keep_the_hazards_of_their_places() -> None:
    keepers = set(
        HazardEvent.objects.filter(step=hazard_rules.Step.PLAN).values_list(
            "actor__username", flat=True
        )
    )
    assert any(name.endswith("_intake") for name in keepers)
    assert any(name.startswith("county_") and not name.endswith("_intake") for name in keepers)
    grid_workers = User.objects.filter(role_assignments__role=Role.GRID_WORKER)
    assert Hazard.objects.filter(registered_by__in=grid_workers).exists()


# --- The daily report ------------------------------------------------------------------------


def test_a_week_of_daily_reports_is_made_for_the_county_and_every_township() -> None:
    today = timezone.localdate()
    county = Region.objects.get(prefix=COUNTY_PREFIX)
    centres = {county.pk, *county.children.values_list("pk", flat=True)}
    for back in range(7):
        day = today - timedelta(days=back)
        reported = set(DailyReport.objects.filter(report_date=day).values_list("region", flat=True))
        assert reported == centres, day
    # Consecutive windows: each morning's report starts where the one before ended.
    county_reports = list(DailyReport.objects.filter(region=county).order_by("report_date"))
    for before, after in itertools.pairwise(county_reports):
        assert after.window_start == before.window_end
    # The county's week holds something to read, and the history was not e-mailed.
    assert DailyReportItem.objects.filter(report__region=county).exists()
    assert not DailyReport.objects.exclude(emailed_to=[]).exists()
    leaders = User.objects.filter(role_assignments__role=Role.LEADER)
    assert leaders.count() == 6
    assert not leaders.filter(email="").exists()


# --- Figures ------------------------------------------------------------------------------


def test_the_demo_figures_are_ready_and_add_up_to_the_cases() -> None:
    """The demo's dashboards open on figures: the rollups are built at load, and every
    counter for the county equals the cases it stands for."""
    from zongzhi.analytics import indicators
    from zongzhi.analytics.models import COUNTERS
    from zongzhi.demo.county import COUNTY_PREFIX

    today = timezone.localdate()
    start = today - timedelta(days=400)
    sums = indicators.counter_sums(COUNTY_PREFIX, start, today)
    assert sums["received"] > 250 and sums["resolved"] > 0
    for counter in COUNTERS:
        behind = indicators.cohort(COUNTY_PREFIX, start, today).filter(
            indicators.COUNTER_Q[counter]
        )
        assert sums[counter] == behind.count(), counter
