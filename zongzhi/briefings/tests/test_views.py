"""The report pages and the home-page summary, as each role sees them."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string

from zongzhi.accounts.models import RoleAssignment
from zongzhi.accounts.rules import Role
from zongzhi.briefings import selectors, services
from zongzhi.briefings.models import DailyReport
from zongzhi.briefings.tests.factories import (
    DAY,
    case_at,
    centres,
    hazard_at,
    leader,
    local,
    morning,
)
from zongzhi.conftest import Cast

pytestmark = pytest.mark.django_db

ONE_DAY = timedelta(days=1)


def report(region: object, day: object = DAY) -> DailyReport:
    return DailyReport.objects.get(region=region, report_date=day)


@pytest.fixture
def reports(cast: Cast) -> Cast:
    """Two mornings of reports for the county and both townships; the T1 one of DAY with
    a case and a hazard, T2's with a case of its own."""
    centres(cast)
    case_at(cast, title="工地拖欠12名工人工资", risk_level="major", people_count=12)
    hazard_at(cast, title="某小区物业矛盾积累")
    case_at(cast, title="盘溪镇征地补偿纠纷", risk_level="high", region=cast.places.g2)
    services.compile_daily_reports(now=morning())
    services.compile_daily_reports(now=morning(DAY + ONE_DAY))
    return cast


def test_a_township_leader_lists_their_townships_reports_newest_first(reports: Cast) -> None:
    page = reports.client_for(reports.by_role[Role.LEADER]).get("/briefings/").content.decode()
    t1_today = report(reports.places.t1, DAY + ONE_DAY)
    t1_yesterday = report(reports.places.t1)
    assert page.index(f"/briefings/{t1_today.pk}/") < page.index(f"/briefings/{t1_yesterday.pk}/")
    assert "2 条" in page  # the item count of DAY's report
    assert "无新增" in page  # the next morning's report
    for other in (reports.places.t2, reports.places.county):
        assert f"/briefings/{report(other).pk}/" not in page


def test_a_county_leader_lists_the_countys_and_every_townships_reports(reports: Cast) -> None:
    county_leader = leader("county_leader", reports.places.county)
    page = reports.client_for(county_leader).get("/briefings/").content.decode()
    for region in (reports.places.county, reports.places.t1, reports.places.t2):
        assert f"/briefings/{report(region).pk}/" in page
    # They can narrow it to one township.
    only_t2 = reports.client_for(county_leader).get(f"/briefings/?region={reports.places.t2.code}")
    narrowed = only_t2.content.decode()
    assert f"/briefings/{report(reports.places.t2).pk}/" in narrowed
    assert f"/briefings/{report(reports.places.t1).pk}/" not in narrowed


def test_the_report_page_groups_items_by_reason_and_links_each_record(reports: Cast) -> None:
    t1 = report(reports.places.t1)
    case_item, hazard_item = sorted(t1.items.all(), key=lambda i: i.is_hazard)
    response = reports.client_for(reports.by_role[Role.LEADER]).get(f"/briefings/{t1.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="section-major_risk"' in page
    assert 'data-testid="section-high_risk"' in page
    assert page.index('data-testid="section-major_risk"') < page.index(
        'data-testid="section-high_risk"'
    )
    assert f'href="/cases/{case_item.code}/"' in page
    assert f'href="/hazards/{hazard_item.hazard_id}/"' in page
    assert 'data-reason="group"' in page  # the case's second reason, as a chip
    assert "宁州街道综治中心" in page  # the undispatched case's centre answers for it
    assert "待派单" in page
    assert "宁州派出所" in page  # the hazard's responsible unit
    assert "2026-03-09 00:00 — 2026-03-10 00:00" in page
    assert "无新增涉稳信息" not in page


def test_an_empty_report_says_nothing_new(reports: Cast) -> None:
    empty = report(reports.places.t1, DAY + ONE_DAY)
    page = reports.client_for(reports.by_role[Role.LEADER]).get(f"/briefings/{empty.pk}/")
    assert "无新增涉稳信息" in page.content.decode()


def test_a_report_outside_the_users_scope_is_not_found(reports: Cast) -> None:
    client = reports.client_for(reports.by_role[Role.LEADER])
    assert client.get(f"/briefings/{report(reports.places.t2).pk}/").status_code == 404
    # A township leader does not read the county's report either.
    assert client.get(f"/briefings/{report(reports.places.county).pk}/").status_code == 404


def test_the_townships_intake_officer_reads_its_reports(reports: Cast) -> None:
    client = reports.client_for(reports.by_role[Role.INTAKE_OFFICER])
    assert client.get(f"/briefings/{report(reports.places.t1).pk}/").status_code == 200


@pytest.mark.parametrize("role", [Role.CARE_WORKER, Role.GRID_WORKER, Role.UNIT_HANDLER])
def test_people_without_the_report_cannot_open_its_pages(reports: Cast, role: Role) -> None:
    client = reports.client_for(reports.by_role[role])
    assert client.get("/briefings/").status_code == 403
    assert client.get(f"/briefings/{report(reports.places.t1).pk}/").status_code == 404


def test_the_list_costs_the_same_few_queries_however_many_reports(
    reports: Cast, django_assert_max_num_queries: object
) -> None:
    for n in range(2, 12):
        case_at(reports, at=local(DAY + (n - 1) * ONE_DAY, 10), risk_level="high")
        services.compile_daily_reports(now=morning(DAY + n * ONE_DAY))
    county_leader = leader("county_leader", reports.places.county)
    client = reports.client_for(county_leader)
    # session, user, grants, the regions for the filter, the count, the page of reports,
    # and the roles in the page header
    with django_assert_max_num_queries(7):  # type: ignore[operator]
        response = client.get("/briefings/")
    assert response.content.decode().count('class="case-row report-row') == 30


def test_the_report_page_costs_a_few_queries(
    reports: Cast, django_assert_max_num_queries: object
) -> None:
    for n in range(8):
        case_at(reports, at=local(DAY + 5 * ONE_DAY, 8 + n), risk_level="high", people_count=9)
        hazard_at(reports, at=local(DAY + 5 * ONE_DAY, 8 + n))
    services.compile_daily_reports(now=morning(DAY + 20 * ONE_DAY))
    big = DailyReport.objects.get(region=reports.places.t1, report_date=DAY + 20 * ONE_DAY)
    assert big.items.count() == 16
    client = reports.client_for(reports.by_role[Role.LEADER])
    # session, user, grants, the report, its items, the roles in the page header
    with django_assert_max_num_queries(6):  # type: ignore[operator]
        response = client.get(f"/briefings/{big.pk}/")
    assert response.content.decode().count('data-testid="item"') == 16


# --- The home page's summary ------------------------------------------------------------


def test_latest_for_gives_the_latest_report_of_each_region_the_user_holds_it_at(
    reports: Cast, django_assert_num_queries: object
) -> None:
    both = leader("both", reports.places.county)
    RoleAssignment.objects.create(user=both, role=Role.LEADER, region=reports.places.t2)
    # Grants once, then the reports and their items.
    with django_assert_num_queries(3):  # type: ignore[operator]
        latest = selectors.latest_for(both)
        counts = [len(r.items.all()) for r in latest]
    assert [(r.region, r.report_date) for r in latest] == [
        (reports.places.county, DAY + ONE_DAY),
        (reports.places.t2, DAY + ONE_DAY),
    ]
    assert counts == [0, 0]


def test_latest_for_is_empty_for_those_the_report_is_not_for(reports: Cast) -> None:
    assert selectors.latest_for(reports.by_role[Role.GRID_WORKER]) == []
    assert selectors.latest_for(reports.by_role[Role.CARE_WORKER]) == []
    assert selectors.latest_for(reports.by_role[Role.UNIT_HANDLER]) == []


def test_the_home_partial_shows_the_region_count_top_items_and_links(reports: Cast) -> None:
    DailyReport.objects.filter(report_date=DAY + ONE_DAY).delete()
    latest = selectors.latest_for(reports.by_role[Role.LEADER])
    t1 = report(reports.places.t1)
    html = render_to_string("briefings/_home.html", {"reports": latest})
    assert "宁州街道" in html
    assert "2 条" in html
    assert "工地拖欠12名工人工资" in html
    assert f'href="/briefings/{t1.pk}/"' in html
    case_item = next(i for i in t1.items.all() if not i.is_hazard)
    assert f'href="/cases/{case_item.code}/"' in html
    assert render_to_string("briefings/_home.html", {"reports": []}).strip() == ""
