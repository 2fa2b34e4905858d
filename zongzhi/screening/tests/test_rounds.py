"""Opening rounds from schedules, and launching special campaigns."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.conftest import Cast
from zongzhi.regions.models import Region
from zongzhi.screening import services
from zongzhi.screening.models import ScreeningReport, ScreeningRound, ScreeningSchedule
from zongzhi.screening.tests.factories import campaign, category
from zongzhi.units.models import Unit
from zongzhi.units.services import unit_create


def schedule(region: Region, **overrides: object) -> ScreeningSchedule:
    values: dict[str, object] = {
        "name": "村（社区）周排查",
        "cadence": ScreeningSchedule.Cadence.WEEKLY,
        "region": region,
        "reporters": ScreeningSchedule.Reporters.REGIONS,
        "reporter_level": Region.Level.GRID,
    }
    values.update(overrides)
    return ScreeningSchedule.objects.create(**values)


def test_opening_rounds_twice_opens_each_period_once(cast: Cast) -> None:
    schedule(cast.places.county)
    wednesday = date(2026, 3, 4)
    first = services.open_due_rounds(today=wednesday)
    again = services.open_due_rounds(today=wednesday + timedelta(days=2))
    assert len(first) == 1
    assert again == []
    assert ScreeningRound.objects.count() == 1
    round_ = first[0]
    assert (round_.period_start, round_.period_end) == (date(2026, 3, 2), date(2026, 3, 8))
    assert round_.due_on > round_.period_end  # one working day of grace
    assert round_.kind == "weekly"


def test_the_next_period_opens_the_next_round(cast: Cast) -> None:
    schedule(cast.places.county, cadence=ScreeningSchedule.Cadence.TEN_DAY, name="乡镇旬排查")
    services.open_due_rounds(today=date(2026, 2, 20))
    services.open_due_rounds(today=date(2026, 2, 21))
    rounds = list(ScreeningRound.objects.order_by("period_start"))
    assert [(r.period_start, r.period_end) for r in rounds] == [
        (date(2026, 2, 11), date(2026, 2, 20)),
        (date(2026, 2, 21), date(2026, 2, 28)),
    ]
    assert rounds[1].title == "乡镇旬排查 2026年2月下旬"


def test_a_round_expects_a_report_from_every_region_at_the_schedule_level(cast: Cast) -> None:
    schedule(cast.places.county, reporter_level=Region.Level.VILLAGE)
    schedule(cast.places.t1, reporter_level=Region.Level.GRID, name="右所网格周排查")
    services.open_due_rounds(today=date(2026, 3, 4))
    village_round = ScreeningRound.objects.get(region=cast.places.county)
    grid_round = ScreeningRound.objects.get(region=cast.places.t1)
    assert {r.region for r in village_round.reports.all()} == {cast.places.v1, cast.places.v2}
    assert {r.region for r in grid_round.reports.all()} == {cast.places.g1}  # T1's grids only
    assert all(r.unit_id is None and r.filed_at is None for r in ScreeningReport.objects.all())
    assert all(r.due_on == village_round.due_on for r in village_round.reports.all())


def test_a_unit_schedule_expects_the_units_of_the_kinds_named_at_its_level(cast: Cast) -> None:
    judicial = unit_create(
        by=SYSTEM, name="宁州司法所", kind=Unit.Kind.JUSTICE, region=cast.places.t1
    )
    retired = unit_create(by=SYSTEM, name="旧派出所", kind=Unit.Kind.POLICE, region=cast.places.t2)
    Unit.objects.filter(pk=retired.pk).update(is_active=False)
    schedule(
        cast.places.county,
        reporters=ScreeningSchedule.Reporters.UNITS,
        reporter_level=Region.Level.TOWNSHIP,
        unit_kinds=[Unit.Kind.POLICE],
        name="派出所旬排查",
        cadence=ScreeningSchedule.Cadence.TEN_DAY,
    )
    schedule(
        cast.places.county,
        reporters=ScreeningSchedule.Reporters.UNITS,
        reporter_level=Region.Level.TOWNSHIP,
        name="乡镇各站所月排查",
        cadence=ScreeningSchedule.Cadence.MONTHLY,
    )
    services.open_due_rounds(today=date(2026, 3, 4))
    police = ScreeningRound.objects.get(kind="ten_day")
    every = ScreeningRound.objects.get(kind="monthly")
    assert {r.unit for r in police.reports.all()} == {cast.units.t1_station, cast.units.t2_station}
    assert {r.unit for r in every.reports.all()} == {
        cast.units.t1_station,
        cast.units.t2_station,
        judicial,
    }
    report = police.reports.get(unit=cast.units.t1_station)
    assert report.region_prefix == cast.places.t1.prefix
    assert report.region_id is None


def test_an_inactive_schedule_opens_nothing(cast: Cast) -> None:
    schedule(cast.places.county, is_active=False)
    assert services.open_due_rounds(today=date(2026, 3, 4)) == []


def test_a_campaign_opens_at_once_with_its_focus_and_reporters(cast: Cast) -> None:
    leader = cast.by_role[Role.LEADER]
    round_ = services.launch_campaign(
        by=leader,
        title="欠薪隐患专项排查",
        region=cast.places.t1,
        period_start=date(2026, 1, 5),
        period_end=date(2026, 1, 20),
        due_on=date(2026, 1, 22),
        reporters=ScreeningSchedule.Reporters.REGIONS,
        reporter_level=Region.Level.GRID,
        focus_categories=[category("LZJF01").parent],
        instructions="重点排查在建工地和小微企业",
    )
    assert round_.is_campaign
    assert round_.created_by == leader
    assert [r.region for r in round_.reports.all()] == [cast.places.g1]
    assert [c.code for c in round_.focus_categories.all()] == ["LZJF"]


def test_sending_the_same_campaign_twice_launches_it_once(cast: Cast) -> None:
    first = campaign(cast.places.t1, title="节前矛盾纠纷大排查")
    second = campaign(cast.places.t1, title="节前矛盾纠纷大排查")
    assert first.pk == second.pk
    assert ScreeningRound.objects.count() == 1
    assert ScreeningReport.objects.count() == 1


def test_a_county_campaign_may_ask_the_county_bureaus_themselves(cast: Cast) -> None:
    round_ = campaign(
        cast.places.county,
        level=Region.Level.COUNTY,
        reporters=ScreeningSchedule.Reporters.UNITS,
    )
    assert [r.unit for r in round_.reports.all()] == [cast.units.county_bureau]
    with pytest.raises(ValidationError) as refused:
        campaign(cast.places.county, level=Region.Level.COUNTY, title="县级区划本身")
    assert "填报层级须低于排查范围" in str(refused.value)


def test_a_campaign_is_refused_with_each_bad_field_named(cast: Cast) -> None:
    with pytest.raises(ValidationError) as refused:
        services.launch_campaign(
            by=SYSTEM,
            title=" ",
            region=cast.places.t1,
            period_start=date(2026, 1, 20),
            period_end=date(2026, 1, 5),
            due_on=date(2026, 1, 1),
            reporters="nobody",
            reporter_level=Region.Level.GRID,
        )
    errors = refused.value.message_dict
    assert set(errors) == {"title", "period_end", "due_on", "reporters"}
    assert ScreeningRound.objects.count() == 0


def test_a_leader_cannot_launch_a_campaign_in_another_township(cast: Cast) -> None:
    with pytest.raises(PermissionDenied):
        services.launch_campaign(
            by=cast.by_role[Role.LEADER],
            title="外乡镇排查",
            region=cast.places.t2,
            period_start=date(2026, 1, 5),
            period_end=date(2026, 1, 10),
            due_on=date(2026, 1, 12),
            reporters=ScreeningSchedule.Reporters.REGIONS,
            reporter_level=Region.Level.GRID,
        )
    assert ScreeningRound.objects.count() == 0
