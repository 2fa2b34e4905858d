"""The demo county's cases, as someone trying the demo would see them.

Loading the demo takes a while (the division file, then some three thousand steps through
the services), so it is loaded once for this module and rolled back at its end; each test
runs in its own transaction inside that one.
"""

import itertools
import random
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from zongzhi.accounts.models import User
from zongzhi.cases.demo import load_demo_cases
from zongzhi.cases.models import (
    Case,
    CaseEvent,
    ExtensionRequest,
    MediationAgreement,
    Summons,
    SupervisionOrder,
)
from zongzhi.cases.rules import GROUP_SIZE, Status, Step
from zongzhi.core.demo import COUNTY_PREFIX, load_demo
from zongzhi.regions.models import Region

pytestmark = pytest.mark.usefixtures("demo", "db")


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
    assert set(cases.values_list("channel", flat=True)) == set(Case.Channel.values)
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
    assert steps == {str(s) for s in Step}
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


def test_loading_the_demo_again_makes_no_new_cases() -> None:
    counts = (Case.objects.count(), CaseEvent.objects.count(), SupervisionOrder.objects.count())
    load_demo(settings.ZONGZHI_DIVISIONS_DIR)
    assert load_demo_cases(random.Random(1)) == 0
    after = (Case.objects.count(), CaseEvent.objects.count(), SupervisionOrder.objects.count())
    assert after == counts
