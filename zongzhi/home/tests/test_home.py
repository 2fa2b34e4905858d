"""The home page: what each person has to do in screening and hazards, and the daily
report, each shown only to those whose work it is."""

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zongzhi.accounts.permissions import SYSTEM
from zongzhi.accounts.rules import Role
from zongzhi.briefings.services import compile_daily_reports
from zongzhi.cases.tests.factories import category
from zongzhi.conftest import Cast, make_user
from zongzhi.hazards import services as hazard_services
from zongzhi.hazards.models import Hazard
from zongzhi.home.selectors import holiday_warning
from zongzhi.regions.models import Region
from zongzhi.regions.rules import Level
from zongzhi.screening import services as screening_services
from zongzhi.screening.models import ScreeningReport, ScreeningSchedule
from zongzhi.units.models import Unit
from zongzhi.units.services import unit_create


def campaign(cast: Cast, title: str, *, starts: int, days: int, units: bool = False) -> None:
    """A campaign starting `starts` days from today (negative: in the past), due the day
    after it ends, asking every grid (or every township police station) to report."""
    today = timezone.localdate()
    first = today + timedelta(days=starts)
    last = first + timedelta(days=days - 1)
    screening_services.launch_campaign(
        by=SYSTEM,
        title=title,
        region=cast.places.county,
        period_start=first,
        period_end=last,
        due_on=last + timedelta(days=1),
        reporters=ScreeningSchedule.Reporters.UNITS
        if units
        else ScreeningSchedule.Reporters.REGIONS,
        reporter_level=Level.TOWNSHIP if units else Level.GRID,
        unit_kinds=[Unit.Kind.POLICE] if units else [],
    )


def hazard(region: Region, unit: Unit, *, overdue: bool) -> Hazard:
    registered = hazard_services.hazard_register(
        by=SYSTEM,
        new=hazard_services.NewHazard(
            title="某小区物业费纠纷酝酿集体上访",
            description="业主与物业公司矛盾加剧，有人串联准备集体上访。",
            category=category("FCWY01"),
            region=region,
            level=Hazard.Level.MEDIUM,
            responsible_unit=unit,
            guardian_name="张志明",
        ),
    )
    if overdue:  # its review date passed a week ago
        Hazard.objects.filter(pk=registered.pk).update(
            next_review_on=timezone.localdate() - timedelta(days=7)
        )
    return registered


@pytest.fixture
def work(cast: Cast) -> Cast:
    """Last week's reports from both grids and both stations, none filed (missing); this
    week's from both grids, g1's already filed; a hazard past its review in each
    township and one in time; a centre in each township, and this morning's reports."""
    p, u = cast.places, cast.units
    campaign(cast, "上周网格排查", starts=-6, days=3)
    campaign(cast, "上周派出所排查", starts=-6, days=3, units=True)
    campaign(cast, "本周网格排查", starts=0, days=7)
    this_week = ScreeningReport.objects.get(round__title="本周网格排查", region=p.g1)
    screening_services.file_report(by=cast.by_role[Role.GRID_WORKER], report=this_week, zero=True)
    hazard(p.g1, u.t1_station, overdue=True)
    hazard(p.g1, u.t1_station, overdue=False)
    hazard(p.g2, u.t2_station, overdue=True)
    for region in [p.t1, p.t2]:
        unit_create(by=SYSTEM, name=f"{region.name}综治中心", kind=Unit.Kind.CENTRE, region=region)
    compile_daily_reports()
    return cast


def figure(page: str, testid: str) -> int | None:
    """The number in the home page's tile, or None when the tile is not shown."""
    marker = f'data-testid="{testid}"'
    if marker not in page:
        return None
    return int(page.split(marker)[1].split('<span class="n">')[1].split("</span>")[0])


def home(cast: Cast, role: Role) -> str:
    response = cast.client_for(cast.by_role[role]).get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_grid_worker_sees_what_to_file_what_is_missing_and_hazards_to_review(
    work: Cast,
) -> None:
    page = home(work, Role.GRID_WORKER)
    # Last week's report for the grid is overdue; this week's is filed.
    assert figure(page, "to-file") == 1
    assert figure(page, "missing") == 1
    assert figure(page, "review-overdue") == 1  # the one in the grid, not township T2's
    assert "/screening/" in page and "/hazards/?overdue=1" in page
    assert 'data-testid="briefings"' not in page


def test_a_leader_sees_what_is_missing_and_overdue_in_the_township_and_the_daily_report(
    work: Cast,
) -> None:
    page = home(work, Role.LEADER)
    assert figure(page, "to-file") is None  # leaders file nothing themselves
    assert figure(page, "missing") == 2  # grid g1's and the station's
    assert figure(page, "review-overdue") == 1
    today = timezone.localdate()
    since = (today - timedelta(days=30)).isoformat()
    assert f"/screening/compliance/?first={since}&amp;last={today.isoformat()}" in page
    briefing = page.split('data-testid="briefings"')[1]
    assert work.places.t1.name in briefing
    assert work.places.t2.name not in briefing


def test_a_unit_handler_files_for_the_unit_and_keeps_its_hazards(work: Cast) -> None:
    page = home(work, Role.UNIT_HANDLER)
    assert figure(page, "to-file") == 1  # the station's own report, not the grid's
    assert figure(page, "missing") is None  # it reads screening only for its unit
    assert figure(page, "review-overdue") == 1


def test_a_care_worker_sees_none_of_it_only_their_visits(work: Cast) -> None:
    page = home(work, Role.CARE_WORKER)
    for testid in ["to-file", "missing", "review-overdue", "briefings", "care-escalated"]:
        assert f'data-testid="{testid}"' not in page, testid
    assert figure(page, "care-overdue") == 0


def test_care_tiles_count_the_workers_visits_and_what_reached_the_supervisor(
    work: Cast,
) -> None:
    from zongzhi.care import services as care_services
    from zongzhi.care.tests.conftest import new_file

    worker = work.by_role[Role.CARE_WORKER]
    long_ago = timezone.localdate() - timedelta(days=60)
    file = care_services.care_file_register(
        by=worker, new=new_file(work.places.v1, enrolled_on=long_ago)
    )
    assert figure(home(work, Role.CARE_WORKER), "care-due-today") == 1  # entered late: due now
    # The last visit was 40 days ago; at level 2 the next was due within 30.
    care_services.care_file_record_visit(
        by=worker,
        file=file,
        visited_on=long_ago + timedelta(days=20),
        method="home",
        seen="情绪稳定，按时服药",
    )
    assert figure(home(work, Role.CARE_WORKER), "care-overdue") == 1
    assert figure(home(work, Role.CARE_SUPERVISOR), "care-escalated") == 0
    care_services.sweep_care()
    assert figure(home(work, Role.CARE_SUPERVISOR), "care-escalated") == 1
    assert figure(home(work, Role.CARE_SUPERVISOR), "care-overdue") == 0  # not on the team
    # Nobody outside care work is shown a care figure.
    for role in [Role.GRID_WORKER, Role.LEADER, Role.INTAKE_OFFICER]:
        assert 'data-testid="care-overdue"' not in home(work, role), role


def test_the_figures_follow_what_is_filed_and_reviewed(work: Cast) -> None:
    grid_worker = work.by_role[Role.GRID_WORKER]
    last_week = ScreeningReport.objects.get(round__title="上周网格排查", region=work.places.g1)
    screening_services.file_report(by=grid_worker, report=last_week, zero=True)
    overdue = Hazard.objects.get(region=work.places.g1, next_review_on__lt=timezone.localdate())
    hazard_services.hazard_review(
        by=grid_worker, hazard=overdue, finding="业主情绪平稳", level=Hazard.Level.MEDIUM
    )
    page = home(work, Role.GRID_WORKER)
    assert figure(page, "to-file") == 0
    assert figure(page, "missing") == 0  # filed late is reported, not missing
    assert figure(page, "review-overdue") == 0
    assert figure(home(work, Role.LEADER), "missing") == 1


def queries_for_home(cast: Cast, role: Role) -> int:
    client = cast.client_for(cast.by_role[role])
    client.get("/")  # the session is read once
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def more_of_everything(cast: Cast) -> None:
    for n in range(3):
        campaign(cast, f"专项排查{n}", starts=-10 - n, days=2)
        hazard(cast.places.g1, cast.units.t1_station, overdue=True)
    compile_daily_reports(now=timezone.now() - timedelta(days=1))


@pytest.mark.parametrize(
    ("role", "most"),
    [(Role.LEADER, 12), (Role.GRID_WORKER, 11), (Role.CARE_WORKER, 8)],
)
def test_the_home_page_costs_the_same_queries_however_much_there_is(
    work: Cast, role: Role, most: int, django_assert_max_num_queries: Any
) -> None:
    before = queries_for_home(work, role)
    more_of_everything(work)
    assert queries_for_home(work, role) == before
    client = work.client_for(work.by_role[role])
    client.get("/")
    with django_assert_max_num_queries(most):
        client.get("/")


# --- The missing-holidays warning ---------------------------------------------------------


@pytest.fixture
def on_day(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Make the pages' today a given day (the package's holidays end with 2026)."""

    def set_today(day: date) -> None:
        real = timezone.localdate
        monkeypatch.setattr(
            timezone, "localdate", lambda value=None, **kw: day if value is None else real(value)
        )

    return set_today


def test_a_county_administrator_is_warned_on_october_1_with_the_way_to_the_holiday_admin(
    cast: Cast, on_day: Any
) -> None:
    admin = make_user("county_admin", Role.ADMINISTRATOR, region=cast.places.county)
    admin.is_staff = True  # administrators work in the Django admin too
    admin.save(update_fields=["is_staff"])
    on_day(date(2026, 10, 1))
    page = cast.client_for(admin).get(reverse("home")).content.decode()
    assert "2027年的节假日安排尚未录入" in page
    assert f'href="{reverse("admin:workdays_calendarday_changelist")}"' in page
    admin_page = cast.client_for(admin).get(reverse("admin:workdays_calendarday_changelist"))
    assert "2027年的节假日安排尚未录入" in admin_page.content.decode()


def test_no_warning_in_september(cast: Cast, on_day: Any) -> None:
    admin = make_user("county_admin", Role.ADMINISTRATOR, region=cast.places.county)
    on_day(date(2026, 9, 30))
    page = cast.client_for(admin).get(reverse("home")).content.decode()
    assert "节假日安排尚未录入" not in page


def test_nobody_who_cannot_enter_the_holidays_is_warned(cast: Cast, on_day: Any) -> None:
    on_day(date(2026, 10, 1))
    leader = cast.by_role[Role.LEADER]
    assert "节假日安排尚未录入" not in cast.client_for(leader).get(reverse("home")).content.decode()
    # A township administrator cannot enter the national schedule either.
    for user in [*cast.by_role.values(), cast.outsider]:
        for day in [date(2026, 10, 1), date(2026, 12, 31), date(2027, 3, 1)]:
            assert holiday_warning(user, day) is None, (user, day)
